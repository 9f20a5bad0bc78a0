-- Seed for the web benchmark: 1,000,000 contacts (10% waiting for review),
-- one basis each, 5,000,000 activities (25,000 of them bounces), a privacy
-- notice for each contact (sent, but 1 in 100 refused by the server), and
-- an inbound message for the newest 2,000 leads (the review queue's first
-- pages). Run on a migrated, empty database.
\set ON_ERROR_STOP on
SET synchronous_commit = off;
ALTER TABLE activities SET UNLOGGED;
INSERT INTO contacts (email, address_hash, name, company, phone, language, status, source, created_at, updated_at, last_activity_at)
SELECT 'person' || i || '@company' || (i % 50000) || '.example',
       sha256(('person' || i)::bytea),
       (ARRAY['Mario','Giulia','Luca','Anna','Marco','Sara','Paolo','Elena','Andrea','Chiara',
              'Giovanni','Francesca','Stefano','Laura','Davide','Marta','Simone','Silvia','Matteo','Valentina'])[1 + i % 20]
       || ' ' ||
       (ARRAY['Rossi','Russo','Ferrari','Esposito','Bianchi','Romano','Colombo','Ricci','Marino','Greco',
              'Bruno','Gallo','Conti','De Luca','Mancini','Costa','Giordano','Rizzo','Lombardi','Moretti',
              'Barbieri','Fontana','Santoro','Mariani','Rinaldi','Caruso','Ferrara','Galli','Martini','Leone',
              'Longo','Gentile','Martinelli','Vitale','Lombardo','Serra','Coppola','De Santis','D''Angelo','Marchetti',
              'Parisi','Villa','Conte','Ferraro','Ferri','Fabbri','Bianco','Marini','Grasso','Valentini'])[1 + (i / 20) % 50],
       'Company ' || (i % 50000) || ' S.r.l.',
       '+39 02 ' || lpad((i % 10000000)::text, 7, '0'),
       CASE WHEN i % 3 = 0 THEN 'en' ELSE 'it' END,
       CASE WHEN i % 10 = 0 THEN 'new' WHEN i % 10 < 6 THEN 'reviewed' ELSE 'customer' END,
       'inbound_email',
       now() - (1000000 - i) * interval '30 seconds',
       now() - (1000000 - i) * interval '30 seconds',
       now() - (1000000 - i) * interval '30 seconds'
FROM generate_series(1, 1000000) AS i;

INSERT INTO bases (contact_id, purpose, kind, source, reason, valid_from, created_by)
SELECT id, 'inquiry_followup', 'legitimate_interest', 'inbound_email', 'inquiry received', created_at, 'system:bench'
FROM contacts;

INSERT INTO activities (contact_id, kind, reason, note, actor, at)
SELECT 1 + (i % 1000000), (ARRAY['call','email','meeting','note'])[1 + i % 4],
       'follow-up ' || i, 'bench note', 'user:bench@acme-srl.it', now() - (5000000 - i) * interval '6 seconds'
FROM generate_series(1, 5000000) AS i;
INSERT INTO activities (contact_id, kind, reason, note, actor, at)
SELECT 1 + (i * 40) % 1000000, 'bounce', 'hard bounce: 550 5.1.1 user unknown', '', 'system:mailin',
       now() - (25000 - i) * interval '20 minutes'
FROM generate_series(1, 25000) AS i;
ALTER TABLE activities SET LOGGED;

INSERT INTO outbox (contact_id, kind, purpose, status, attempts, message_id, last_error, created_at, next_attempt_at, sent_at, finished_at, created_by)
SELECT id, 'notice', 'privacy_notice',
       CASE WHEN id % 100 = 0 THEN 'failed' ELSE 'sent' END, 1,
       CASE WHEN id % 100 = 0 THEN '' ELSE 'notice-' || id || '@acme-srl.example' END,
       CASE WHEN id % 100 = 0 THEN '550 5.1.1 user unknown' ELSE '' END,
       created_at, created_at,
       CASE WHEN id % 100 = 0 THEN NULL ELSE created_at + interval '1 minute' END,
       created_at + interval '1 minute', 'system:bench'
FROM contacts;

INSERT INTO evidence (contact_id, kind, sha256, content, size, content_type, received_at, created_by)
SELECT c.id, 'inbound_email', sha256(m.raw), m.raw, length(m.raw), 'message/rfc822', c.created_at, 'system:bench'
FROM (SELECT id, email, name, created_at FROM contacts WHERE status = 'new' ORDER BY created_at DESC LIMIT 2000) c,
LATERAL (SELECT convert_to('From: ' || c.name || ' <' || c.email || '>' || E'\r\nSubject: Richiesta preventivo ' || c.id ||
        E'\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBuongiorno, vorrei un preventivo per il vostro servizio. ' ||
        repeat('Dettagli della richiesta. ', 40) || E'\r\n' || c.name || E'\r\n', 'UTF8') AS raw) m;

SELECT setval('contacts_id_seq', (SELECT max(id) FROM contacts));
ANALYZE;
