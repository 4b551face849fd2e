-- paykit-postgres, migration 1: payment records and claims.
--
-- Applied by `PgStores::migrate` (in one transaction, under an advisory lock, recorded in
-- paykit_schema_migrations), or by the merchant's own migration tool. Every statement is
-- idempotent, so applying this file again over existing tables changes nothing.

-- What paykit asked each provider to do and what it learned (DESIGN.md §9). `document` is
-- PaymentRecord::to_json(), kept verbatim: it is the record. The other columns are copies of
-- what queries filter and sort on.
CREATE TABLE IF NOT EXISTS paykit_payment_records (
    provider            text        NOT NULL,
    provider_payment_id text        NOT NULL,
    document            text        NOT NULL,
    -- paykit_core::store::status_rank of the last state; NULL while no state is known.
    status_rank         smallint    NULL,
    -- PaymentRecord::is_settled(): nothing left for the reconciler to learn.
    settled             boolean     NOT NULL,
    updated_at          timestamptz NOT NULL,
    PRIMARY KEY (provider, provider_payment_id)
);

-- The reconciler's sweep: unsettled records, oldest first. Settled ones (nearly all, in time)
-- stay out of the index.
CREATE INDEX IF NOT EXISTS paykit_payment_records_unsettled
    ON paykit_payment_records (updated_at)
    WHERE NOT settled;

-- "This callback (or operation) is being handled, or was": one row per key, taken by
-- INSERT ... ON CONFLICT DO NOTHING. Times are the database's clock, shared by every process.
CREATE TABLE IF NOT EXISTS paykit_claims (
    key        text        PRIMARY KEY,
    -- The claimant's random value while claimed; NULL once done.
    owner      text        NULL,
    state      text        NOT NULL CHECK (state IN ('claimed', 'done')),
    -- A claim lapses, and a done key is forgotten, at this time.
    expires_at timestamptz NOT NULL
);

-- Removing lapsed rows of keys that are never claimed again.
CREATE INDEX IF NOT EXISTS paykit_claims_expires_at
    ON paykit_claims (expires_at);
