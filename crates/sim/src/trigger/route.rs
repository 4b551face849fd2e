//! `POST /_sim/trigger` on every listener: `{"payment": "<id>", "url": "<optional>"}` in,
//! the attempt's record (`CallbackRecord::to_json`) out, or `{"error": <code>, "message":
//! ..}` with a 4xx that names the problem. Like every `/_sim/` route it is exempt from the
//! listener's request faults (latency, 5xx, 429); the callback faults still apply to the post.

use hyper::Method;
use serde_json::json;

use super::{TriggerError, run};
use crate::callback::Dispatcher;
use crate::json::Object;
use crate::server::{Provider, SimRequest, SimResponse};

/// The route's path on each listener.
pub(crate) const TRIGGER_PATH: &str = "/_sim/trigger";

/// What the request body must look like, for the 400s.
const USAGE: &str =
    r#"the body must be a JSON object {"payment": "<id>", "url": "<optional URL>"}"#;

/// Answers one `/_sim/trigger` request.
pub(crate) async fn answer(
    provider: &dyn Provider,
    dispatcher: &Dispatcher,
    req: &SimRequest,
) -> SimResponse {
    if req.method != Method::POST {
        return error(405, "method_not_allowed", "use POST");
    }
    let Some(body) = Object::parse(&req.body) else {
        return error(400, "bad_request", USAGE);
    };
    let payment = match body.str("payment") {
        Ok(Some(id)) if !id.is_empty() => id,
        Ok(_) => return error(400, "bad_request", "payment is required"),
        Err(_) => return error(400, "bad_request", "payment must be a string"),
    };
    let url = match body.str("url") {
        Ok(url) => url,
        Err(_) => return error(400, "bad_request", "url must be a string"),
    };
    match run(provider, dispatcher, &payment, url.as_deref()).await {
        Ok(record) => SimResponse::json(200, &record.to_json()),
        Err(err) => refused(&err),
    }
}

fn refused(err: &TriggerError) -> SimResponse {
    error(err.http_status(), err.code(), &err.to_string())
}

fn error(status: u16, code: &str, message: &str) -> SimResponse {
    SimResponse::json(status, &json!({ "error": code, "message": message }))
}
