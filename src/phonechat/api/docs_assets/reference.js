// "Try it" on the sandbox's reference pages: sends the form's request to this service and
// shows the real answer. Shipped in the package; talks to this origin only.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("try");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const method = form.dataset.method;
    const headers = { "Accept": $("try-accept").value };
    const token = $("try-token").value.trim();
    if (token) headers["Authorization"] = "Bearer " + token;
    Object.assign(headers, JSON.parse(form.dataset.headers || "{}"));  // an app's X-ApiKey
    let url = form.dataset.path;
    let body;
    if (method === "GET") {
      const query = $("try-query").value.trim();
      if (query) url += "?" + query.replace(/^\?/, "");
    } else {
      body = $("try-body").value;
      headers["Content-Type"] = form.dataset.body;
    }
    $("try-status").textContent = "Sending " + method + " " + url + " ...";
    $("try-response").textContent = "";
    try {
      const r = await fetch(url, { method, headers, body, redirect: "manual" });
      let text = await r.text();
      const type = r.headers.get("Content-Type") || "";
      if (type.includes("json")) {
        try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* as sent */ }
      }
      $("try-status").textContent = "HTTP " + r.status + "  " + type +
        "  X-Request-ID: " + (r.headers.get("X-Request-ID") || "");
      $("try-response").textContent = text;
    } catch (e) {
      $("try-status").textContent = "The request failed: " + e;
    }
  });
});
