//! `paykit sim trigger`: asks a running simulator (`POST /_sim/trigger` on the provider's
//! listener) to send a payment's callback now, and prints the delivery's record.

use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Value, json};

use crate::args::TriggerArgs;
use crate::clients;
use crate::output;

/// Longer than the simulator's own 30 s wait for the merchant, so its answer gets here.
const TIMEOUT: Duration = Duration::from_secs(45);

/// Exit code of a usage error (nothing sent).
const USAGE: u8 = 2;

pub(crate) async fn run(args: TriggerArgs) -> ExitCode {
    let provider = args.provider;
    let Some(base) = clients::base_url(provider, args.base_url.as_deref()) else {
        output::error(&format!(
            "give --base-url (the {} base_url `paykit sim` announced) or set PAYKIT_{}_BASE_URL",
            provider.name(),
            provider.env_name()
        ));
        return ExitCode::from(USAGE);
    };
    let Some(origin) = origin(&base) else {
        output::error(&format!("the base URL {base:?} is not an http(s) URL"));
        return ExitCode::from(USAGE);
    };
    let endpoint = format!("{origin}/_sim/trigger");
    let client = match reqwest::Client::builder()
        .no_proxy()
        .timeout(TIMEOUT)
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            output::error(&format!("cannot build the HTTP client: {error}"));
            return ExitCode::FAILURE;
        }
    };
    let mut request = json!({ "payment": args.payment });
    if let Some(url) = args.url {
        request["url"] = Value::String(url);
    }
    let response = match client
        .post(&endpoint)
        .header("content-type", "application/json")
        .body(request.to_string())
        .send()
        .await
    {
        Ok(response) => response,
        Err(error) => {
            output::error(&format!(
                "cannot reach the simulator at {endpoint}: {error}"
            ));
            return ExitCode::FAILURE;
        }
    };
    let status = response.status();
    let answer: Option<Value> = response
        .bytes()
        .await
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    match answer {
        Some(record) if status.is_success() && record["outcome"].is_object() => {
            output::line(&record.to_string());
            verdict(&record["outcome"])
        }
        Some(refusal) if refusal["message"].is_string() => {
            let message = refusal["message"].as_str().unwrap_or_default();
            output::error(&format!("the simulator refused: {message}"));
            ExitCode::FAILURE
        }
        _ => {
            output::error(&format!(
                "{endpoint} answered HTTP {status}, not as a simulator does: is the base URL \
                 a `paykit sim` listener?"
            ));
            ExitCode::FAILURE
        }
    }
}

/// The exit code for a delivery's outcome, saying on stderr why it is not 0.
fn verdict(outcome: &Value) -> ExitCode {
    let status = outcome["status"].as_u64();
    let problem = match outcome["state"].as_str() {
        Some("delivered") if status.is_some_and(|s| (200..300).contains(&s)) => {
            return ExitCode::SUCCESS;
        }
        Some("delivered") => format!(
            "the merchant answered HTTP {}",
            status.map_or_else(|| "?".to_owned(), |s| s.to_string())
        ),
        Some("failed") => format!(
            "the callback could not be delivered: {}",
            outcome["error"].as_str().unwrap_or("unknown error")
        ),
        Some("dropped") => "the simulator's dropped-callback fault dropped it".to_owned(),
        _ => format!("unexpected outcome {outcome}"),
    };
    output::error(&problem);
    ExitCode::FAILURE
}

/// `scheme://host[:port]` of an http(s) URL: the simulator's control routes live at the
/// listener's root, whatever API path the base URL carries (`…/payments/v1`).
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_drops_the_api_path() {
        assert_eq!(
            origin("http://127.0.0.1:4005/payments/v1").as_deref(),
            Some("http://127.0.0.1:4005")
        );
        assert_eq!(
            origin("https://sim.local/").as_deref(),
            Some("https://sim.local")
        );
        assert_eq!(
            origin("http://[::1]:80?x").as_deref(),
            Some("http://[::1]:80")
        );
        for bad in ["", "127.0.0.1:4000", "ftp://x", "http://", "http:///x"] {
            assert_eq!(origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_a_2xx_delivery_exits_0() {
        let code = |v: Value| format!("{:?}", verdict(&v));
        let ok = code(json!({ "state": "delivered", "status": 204 }));
        assert_eq!(ok, format!("{:?}", ExitCode::SUCCESS));
        for outcome in [
            json!({ "state": "delivered", "status": 503 }),
            json!({ "state": "failed", "error": "connection refused" }),
            json!({ "state": "dropped" }),
            json!({ "state": "pending" }),
            json!("garbage"),
        ] {
            assert_eq!(code(outcome), format!("{:?}", ExitCode::FAILURE));
        }
    }
}
