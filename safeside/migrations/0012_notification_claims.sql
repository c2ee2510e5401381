-- A notification is sent outside any transaction (issue 21): a sender claims its outbox row
-- and commits, sends, then records the outcome in a second short transaction. Until
-- `claimed_until` no other sender takes the row; a sender that died mid-send loses its claim
-- then, and the row is tried again. `claim_token` says whose claim it is, so a sender whose
-- claim lapsed cannot release the claim of the one that took over.
ALTER TABLE notifications
    ADD COLUMN claimed_until timestamptz,
    ADD COLUMN claim_token   uuid;
