-- Bench data, set-based (seconds for 1,000,000 bookings). psql variables:
--   :bookings   how many bookings (e.g. 1000000 or 10000)
--   :per_client bookings per client (1000: every client has the same list length at any size)
--   :performers how many booked users (with PhoneChat settings)
-- Users 1..C are clients (C = bookings / per_client), each with the access token
-- 'bench-<id>' (stored as its SHA-256, as the service stores tokens); users 1000001.. are
-- performers. Booking g belongs to client ((g-1) % C) + 1; its status cycles with g % 5:
-- 0 Pending, 1 Accepted, 2 Confirmed, 3 Cancelled, 4 Rejected. Pending and Confirmed
-- bookings hold their credits (a hold account funded by a ledger transfer from 'world'),
-- so a cancel runs the whole path: lock, update, release the hold (transfer + 2 entries).
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SELECT (:bookings / :per_client) AS clients \gset
SELECT localtimestamp(0) AS now \gset

INSERT INTO users (id, nickname, rating_positive, rating_neutral, rating_negative, disputes, created_at)
SELECT g, 'client' || g, 0, 0, 0, 0, :'now'::timestamp - interval '400 days'
FROM generate_series(1, :clients) g;
INSERT INTO users (id, nickname, rating_positive, rating_neutral, rating_negative, disputes, created_at)
SELECT 1000000 + g, 'performer' || g, 7, 0, 1, 0, :'now'::timestamp - interval '400 days'
FROM generate_series(1, :performers) g;
INSERT INTO phonechat_settings (user_id, takes_bookings, price_per_minute, method_performer_calls,
                                method_client_calls, method_skype, phone_number, skype_name)
SELECT 1000000 + g, true, 10000, true, true, true, '0770090' || lpad(g::text, 4, '0'), 'performer.' || g
FROM generate_series(1, :performers) g;

INSERT INTO access_tokens (token_hash, user_id, application_id, scopes, expires_at, created_at, revoked_at)
SELECT encode(sha256(convert_to('bench-' || g, 'UTF8')), 'hex'), g, NULL,
       'account_phonechat_bookings account_information', :'now'::timestamp + interval '365 days',
       :'now'::timestamp, NULL
FROM generate_series(1, :clients) g;

INSERT INTO bookings (id, client_id, candidate_id, duration, credits, status, method, phone_number,
                      skype_name, create_date, session_date, accept_by, accepted_date, confirmed_date,
                      cancelled_date, cancelled_reason, cancelled_by, rejected_reason, last_updated,
                      comments, deleted_by_client, deleted_by_candidate, session_end)
SELECT g,
       ((g - 1) % :clients) + 1,
       1000001 + ((g - 1) % :performers),
       10, 80000,
       (ARRAY['Pending','Accepted','Confirmed','Cancelled','Rejected'])[(g % 5) + 1],
       1 + (g % 3),
       '07700900' || lpad((g % 1000)::text, 3, '0'),
       CASE WHEN g % 3 = 2 THEN 'client.skype' END,
       c.created,
       :'now'::timestamp + interval '30 days' + (g % 1440) * interval '1 minute',
       :'now'::timestamp + interval '29 days',
       CASE WHEN g % 5 IN (1, 2) THEN c.created + interval '1 hour' END,
       CASE WHEN g % 5 = 2 THEN c.created + interval '2 hours' END,
       CASE WHEN g % 5 = 3 THEN c.created + interval '3 hours' END,
       CASE WHEN g % 5 = 3 THEN 'Changed my mind' END,
       CASE WHEN g % 5 = 3 THEN 'client' || (((g - 1) % :clients) + 1) END,
       CASE WHEN g % 5 = 4 THEN 'Not available' END,
       c.created,
       'Bench booking ' || g,
       false, false,
       :'now'::timestamp + interval '30 days' + (g % 1440) * interval '1 minute' + interval '10 minutes'
FROM generate_series(1, :bookings) g,
     LATERAL (SELECT :'now'::timestamp - interval '365 days'
                     + (g::float8 / :bookings) * interval '364 days' AS created) c;

-- The ledger: world (id 1), one spendable account per client (ids 2..C+1), one hold per
-- Pending/Confirmed booking (id 2000000 + booking id) funded by one transfer each.
INSERT INTO credit_accounts (id, kind, user_id, booking_id, balance, entry_count)
SELECT 1, 'world', NULL, NULL, -80000 * count(*), count(*) FROM bookings WHERE status IN ('Pending', 'Confirmed');
INSERT INTO credit_accounts (id, kind, user_id, booking_id, balance)
SELECT 1 + g, 'user', g, NULL, 0 FROM generate_series(1, :clients) g;
INSERT INTO credit_accounts (id, kind, user_id, booking_id, balance, entry_count)
SELECT 2000000 + id, 'hold', NULL, id, credits, 1 FROM bookings WHERE status IN ('Pending', 'Confirmed');
INSERT INTO ledger_transfers (id, booking_id, reason, created_at)
SELECT id, id, 'seed', create_date FROM bookings WHERE status IN ('Pending', 'Confirmed');
-- Each entry's place in its account (seq) and the balance after it, as the ledger keeps them.
INSERT INTO ledger_entries (transfer_id, account_id, amount, seq, balance_after)
SELECT id, 1, -credits, row_number() OVER w, -sum(credits) OVER w
FROM bookings WHERE status IN ('Pending', 'Confirmed') WINDOW w AS (ORDER BY id)
UNION ALL
SELECT id, 2000000 + id, credits, 1, credits FROM bookings WHERE status IN ('Pending', 'Confirmed');

-- Identity columns continue after the explicit ids.
SELECT setval(pg_get_serial_sequence(t, 'id'), (SELECT coalesce(max(id), 0) + 1 FROM bookings))
FROM (VALUES ('bookings')) v(t);
SELECT setval(pg_get_serial_sequence('users', 'id'), 2000000);
SELECT setval(pg_get_serial_sequence('credit_accounts', 'id'), (SELECT max(id) + 1 FROM credit_accounts));
SELECT setval(pg_get_serial_sequence('ledger_transfers', 'id'), (SELECT max(id) + 1 FROM ledger_transfers));
VACUUM ANALYZE;
