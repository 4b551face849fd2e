//! sqlx's errors as paykit's [`Error::Store`], without anything a query carried.
//!
//! A server's message can quote a bound value (`invalid input syntax for type integer:
//! "<value>"`, a constraint's DETAIL `Key (key)=(<value>) already exists`), and a bound value
//! here can be a payment hash inside a record. So a database error keeps only its SQLSTATE code
//! and a fixed text for it; client-side errors keep their kind, never their payload.

use paykit_core::Error;

/// The engine's name in every [`Error::Store`] of this crate.
pub(crate) const BACKEND: &str = "postgres";

/// `error`, met while doing `operation`, as an [`Error::Store`].
pub(crate) fn store_error(operation: &'static str, error: &sqlx::Error) -> Error {
    Error::store(BACKEND, operation, describe(error))
}

/// A message for `error` that names what went wrong and quotes nothing from the query.
fn describe(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(database) => {
            let code = database
                .code()
                .map_or_else(|| "unknown".to_owned(), |code| code.into_owned());
            format!(
                "the server refused (SQLSTATE {code}: {})",
                sqlstate_meaning(&code)
            )
        }
        sqlx::Error::PoolTimedOut => {
            "no connection within the pool's acquire timeout (is the database reachable?)".into()
        }
        sqlx::Error::PoolClosed => "the connection pool is closed".into(),
        // An I/O error says what the socket met ("Connection refused"), never query data.
        sqlx::Error::Io(io) => format!("connection failed: {io}"),
        // rustls's reasons ("invalid peer certificate: UnknownIssuer") name no values.
        sqlx::Error::Tls(tls) => format!("TLS failed: {tls}"),
        // Could quote part of the URL, which may hold the password.
        sqlx::Error::Configuration(_) => "invalid connection settings (check the URL)".into(),
        sqlx::Error::Protocol(_) => "unexpected data from the server".into(),
        sqlx::Error::RowNotFound => "an expected row is missing".into(),
        sqlx::Error::ColumnNotFound(column) => format!("column {column} is missing"),
        sqlx::Error::ColumnDecode { index, .. } => format!("column {index} could not be decoded"),
        sqlx::Error::Decode(_) => "a value could not be decoded".into(),
        sqlx::Error::Encode(_) => "a value could not be encoded".into(),
        sqlx::Error::WorkerCrashed => "the connection's background worker crashed".into(),
        _ => "database client error".into(),
    }
}

/// What a SQLSTATE code means, by its class (and a few codes a merchant meets first).
fn sqlstate_meaning(code: &str) -> &'static str {
    match code {
        "42P01" => "a paykit table is missing: run PgStores::migrate or apply the migrations",
        "42501" => "the role lacks a privilege on a paykit table",
        "40001" => "serialization failure",
        "40P01" => "deadlock detected",
        "57014" => "the statement was cancelled or timed out",
        "53300" => "too many connections",
        _ => match code.get(..2) {
            Some("08") => "connection exception",
            Some("22") => "a value was out of range or malformed",
            Some("23") => "a constraint was violated",
            Some("25") => "invalid transaction state",
            Some("28") => "the role or its password was refused",
            Some("3D") => "the database does not exist",
            Some("40") => "the transaction was rolled back",
            Some("42") => "syntax error or access rule violation",
            Some("53") => "the server lacks resources",
            Some("57") => "the server is shutting down or was told to stop",
            Some("58") => "system error on the server",
            _ => "see PostgreSQL's error codes",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paykit_testkit::servers::PostgresServer;

    #[tokio::test]
    async fn a_server_message_quoting_a_bound_value_is_reduced_to_its_code() {
        let url = PostgresServer::shared().create_database("error_messages");
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let raw = sqlx::query("SELECT $1::text::integer")
            .bind("hash-secret-4711")
            .execute(&pool)
            .await
            .unwrap_err();
        // The premise: sqlx's own message carries the value.
        assert!(raw.to_string().contains("hash-secret-4711"), "{raw}");

        let error = store_error("put record", &raw);
        let shown = error.to_string();
        assert!(!shown.contains("hash-secret-4711"), "{shown}");
        assert!(!format!("{error:?}").contains("hash-secret-4711"));
        assert_eq!(
            shown,
            "postgres store: put record failed: the server refused (SQLSTATE 22P02: a value \
             was out of range or malformed)"
        );
    }

    #[test]
    fn codes_are_explained_by_class() {
        assert!(sqlstate_meaning("42P01").contains("migrate"));
        assert_eq!(sqlstate_meaning("23505"), "a constraint was violated");
        assert_eq!(sqlstate_meaning("3D000"), "the database does not exist");
        assert_eq!(sqlstate_meaning("X"), "see PostgreSQL's error codes");
        assert_eq!(sqlstate_meaning(""), "see PostgreSQL's error codes");
    }
}
