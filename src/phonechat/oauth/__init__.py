"""The OAuth 2.0 authorization server: login and consent pages, codes and tokens (oauthlib)."""
