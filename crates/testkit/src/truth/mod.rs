//! The truth matrix: every money-moving call of an adapter against every class of answer a
//! provider (or the network) can give, with the one result DESIGN.md §8 allows for each.
//!
//! A provider's `tests/truth.rs` declares one [`MatrixCall`] per call (the bodies its provider
//! sends, the expected result per [`Answer`], the ids an unknown outcome must carry) and runs
//! them with [`run_matrix`]; the same rows render as the Markdown table in the crate's README
//! ([`render_table`], checked by [`assert_readme_table`]), so docs and tests cannot drift.
//!
//! ```rust,ignore
//! run_matrix(&calls(), &support_routes(), |call, base_url| async move {
//!     let client = client(&base_url); // with timeout CLIENT_TIMEOUT
//!     match call {
//!         "refund" => client.refund("pay-1", None).await.map(|o| o.status.name().to_owned()),
//!         _ => unreachable!(),
//!     }
//! })
//! .await;
//! ```

mod server;

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use paykit_core::Error;

pub use server::{RefusingPort, Reply, Route, TruthServer};

/// The timeout the client under test must use, so [`Answer::TimeoutAfterSend`] trips it.
pub const CLIENT_TIMEOUT: Duration = Duration::from_millis(400);

/// How late the late answer comes.
const LATE_BY: Duration = Duration::from_millis(1500);

/// A class of answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    /// A well-formed success whose echo matches the request.
    Ok,
    /// A success status whose JSON stops mid-value.
    Malformed,
    /// A success echoing another id or amount than the request's.
    MismatchedEcho,
    /// A refusal the provider documents as final (decline, already refunded).
    Refusal,
    /// Another 4xx with the provider's error body.
    ClientError,
    /// A 5xx.
    ServerError,
    /// HTTP 429 with `Retry-After: 7`.
    RateLimited,
    /// Nothing listens: the request never leaves the process.
    TimeoutBeforeSend,
    /// The success arrives after the client's timeout.
    TimeoutAfterSend,
    /// The success's headers arrive, then half its body, then the connection closes.
    ResetMidBody,
    /// HTTP 307 to another path.
    Redirect307,
    /// HTTP 308 to another path.
    Redirect308,
}

impl Answer {
    /// Every class, in table order.
    pub const ALL: [Answer; 12] = [
        Answer::Ok,
        Answer::Malformed,
        Answer::MismatchedEcho,
        Answer::Refusal,
        Answer::ClientError,
        Answer::ServerError,
        Answer::RateLimited,
        Answer::TimeoutBeforeSend,
        Answer::TimeoutAfterSend,
        Answer::ResetMidBody,
        Answer::Redirect307,
        Answer::Redirect308,
    ];

    /// The column heading.
    pub fn label(self) -> &'static str {
        match self {
            Answer::Ok => "2xx ok",
            Answer::Malformed => "2xx malformed",
            Answer::MismatchedEcho => "2xx mismatched echo",
            Answer::Refusal => "documented refusal",
            Answer::ClientError => "4xx",
            Answer::ServerError => "5xx",
            Answer::RateLimited => "429",
            Answer::TimeoutBeforeSend => "timeout before send",
            Answer::TimeoutAfterSend => "timeout after send",
            Answer::ResetMidBody => "reset mid-body",
            Answer::Redirect307 => "307",
            Answer::Redirect308 => "308",
        }
    }
}

/// What the call must return for a class of answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// `Ok`, and the adapter's description of it (usually the status name) equals this.
    State(&'static str),
    /// A typed refusal: an error that is neither retryable nor an unknown outcome.
    Refused,
    /// Nothing happened; the same call may be repeated.
    Retryable,
    /// [`Error::RateLimited`] with the provider's wait.
    RateLimited,
    /// [`Error::outcome_unknown`], not retryable, carrying every id of [`MatrixCall::ids`].
    Unknown,
}

impl Expect {
    /// The table cell.
    pub fn label(self) -> String {
        match self {
            Expect::State(state) => format!("`{state}`"),
            Expect::Refused => "refused".to_owned(),
            Expect::Retryable => "retryable".to_owned(),
            Expect::RateLimited => "rate limited".to_owned(),
            Expect::Unknown => "**unknown**".to_owned(),
        }
    }
}

/// The row DESIGN.md §8 demands of a call that may move money: `ok` for a well-formed success,
/// `refusal` for the provider's documented refusal (a failed state or [`Expect::Refused`]),
/// another 4xx refused, a 429 rate limited, an unsent request retryable, and every answer that
/// leaves the outcome open (malformed or mismatched success, 5xx, timeout after sending, reset,
/// redirect) [`Expect::Unknown`].
pub fn moves_money(ok: Expect, refusal: Expect) -> Vec<(Answer, Expect)> {
    expectations(ok, refusal, Expect::Unknown, Expect::Unknown)
}

/// The row of a call that moves no money (registering a payment page): every fault is
/// [`Expect::Retryable`]; a success that cannot be read or contradicts the request is a final,
/// known error ([`Expect::Refused`]): nothing moved, and a provider answering garbage is not a
/// transient fault.
pub fn no_money(ok: Expect, refusal: Expect) -> Vec<(Answer, Expect)> {
    expectations(ok, refusal, Expect::Retryable, Expect::Refused)
}

fn expectations(
    ok: Expect,
    refusal: Expect,
    fault: Expect,
    unreadable: Expect,
) -> Vec<(Answer, Expect)> {
    Answer::ALL
        .iter()
        .map(|answer| {
            let expect = match answer {
                Answer::Ok => ok,
                Answer::Refusal => refusal,
                Answer::ClientError => Expect::Refused,
                Answer::RateLimited => Expect::RateLimited,
                Answer::TimeoutBeforeSend => Expect::Retryable,
                Answer::Malformed | Answer::MismatchedEcho => unreadable,
                Answer::ServerError
                | Answer::TimeoutAfterSend
                | Answer::ResetMidBody
                | Answer::Redirect307
                | Answer::Redirect308 => fault,
            };
            (*answer, expect)
        })
        .collect()
}

/// The provider's answers to one call, one per body-carrying class.
#[derive(Debug, Clone)]
pub struct Answers {
    /// Status and body of a well-formed success.
    pub ok: (u16, String),
    /// A success whose echo contradicts the request.
    pub mismatched: Reply,
    /// A documented final refusal.
    pub refusal: Reply,
    /// Another client error.
    pub client_error: Reply,
    /// A server error.
    pub server_error: Reply,
}

/// One call of the matrix.
#[derive(Debug, Clone)]
pub struct MatrixCall {
    /// The call's name, as the run closure knows it (e.g. `"refund"`).
    pub call: &'static str,
    /// Its HTTP method.
    pub method: &'static str,
    /// Its path.
    pub path: String,
    /// The provider's answers.
    pub answers: Answers,
    /// The expected result per class; every class of [`Answer::ALL`] must be present.
    pub expect: Vec<(Answer, Expect)>,
    /// Ids every unknown outcome of this call must carry (in [`Error::payment_ref`] and in its
    /// `Display`; a payment hash only in the former, never displayed).
    pub ids: Vec<&'static str>,
    /// How often the request may arrive at the provider in one call (1 for a call that is
    /// never retried once sent).
    pub max_sends: usize,
    /// How the merchant reconciles an unknown outcome of this call (the README's last column).
    pub reconcile: &'static str,
}

impl MatrixCall {
    /// The expectation for `answer`.
    pub fn expectation(&self, answer: Answer) -> Option<Expect> {
        self.expect
            .iter()
            .find(|(class, _)| *class == answer)
            .map(|(_, expect)| *expect)
    }

    fn reply(&self, answer: Answer) -> Option<Reply> {
        let (status, ok) = &self.answers.ok;
        let half = ok.len() / 2;
        Some(match answer {
            Answer::Ok => Reply::json(*status, ok.clone()),
            Answer::Malformed => Reply::json(*status, ok[..floor_char(ok, half)].to_owned()),
            Answer::MismatchedEcho => self.answers.mismatched.clone(),
            Answer::Refusal => self.answers.refusal.clone(),
            Answer::ClientError => self.answers.client_error.clone(),
            Answer::ServerError => self.answers.server_error.clone(),
            Answer::RateLimited => Reply::with_headers(429, &[("Retry-After", "7")], ""),
            Answer::TimeoutBeforeSend => return None,
            Answer::TimeoutAfterSend => {
                Reply::Late(LATE_BY, Box::new(Reply::json(*status, ok.clone())))
            }
            Answer::ResetMidBody => Reply::Cut {
                status: *status,
                body: ok.clone(),
                keep: half,
            },
            Answer::Redirect307 => redirect(307),
            Answer::Redirect308 => redirect(308),
        })
    }
}

/// The path redirects point at; a request arriving there means a redirect was followed.
pub const REDIRECT_TARGET: &str = "/paykit-redirected";

fn redirect(status: u16) -> Reply {
    Reply::with_headers(status, &[("Location", REDIRECT_TARGET)], "")
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// How many rows run at once. Rows spend their time waiting on [`CLIENT_TIMEOUT`]s and
/// backoffs, not on the CPU, and each has a server of its own: run one after another, the
/// largest matrix took 209 s of CI time.
const CONCURRENT_ROWS: usize = 8;

/// Runs every call against every class of answer and panics with every mismatch at once.
///
/// `support` routes are served beside the call under test (token endpoints, a create that a
/// refund needs). `run(call, base_url)` performs `call` with a client pointed at `base_url`
/// whose timeout is [`CLIENT_TIMEOUT`] and returns its description (usually the status name).
///
/// Rows run concurrently, eight at a time, each on a thread and runtime of its
/// own with a server of its own. Rows sharing one task would race their client timeouts
/// against each other's CPU work (building a TLS client takes tens of milliseconds in a debug
/// build), and a row would time out for a reason that is not its answer's. Mismatches are
/// reported in row order.
pub async fn run_matrix<F, Fut>(calls: &[MatrixCall], support: &[Route], run: F)
where
    F: Fn(&'static str, String) -> Fut + Sync,
    Fut: Future<Output = Result<String, Error>>,
{
    let mut failures = Vec::new();
    let mut rows = Vec::new();
    for call in calls {
        for answer in Answer::ALL {
            match call.expectation(answer) {
                Some(expect) => rows.push((call, answer, expect)),
                None => failures.push(format!(
                    "{} × {}: no expectation",
                    call.call,
                    answer.label()
                )),
            }
        }
    }
    let next = AtomicUsize::new(0);
    let checked = Mutex::new(Vec::with_capacity(rows.len()));
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENT_ROWS.min(rows.len()) {
            scope.spawn(|| {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => panic!("cannot start a runtime for the truth matrix: {error}"),
                };
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(call, answer, expect)) = rows.get(index) else {
                        break;
                    };
                    let row = runtime.block_on(run_row(call, answer, expect, support, &run));
                    if let Ok(mut checked) = checked.lock() {
                        checked.push((index, row));
                    }
                }
            });
        }
    });
    let mut checked = checked.into_inner().unwrap_or_default();
    if checked.len() != rows.len() {
        failures.push(format!("{} of {} rows ran", checked.len(), rows.len()));
    }
    checked.sort_by_key(|(index, _)| *index);
    failures.extend(checked.into_iter().flat_map(|(_, row)| row));
    assert!(
        failures.is_empty(),
        "truth matrix: {} of {} rows wrong:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// One call against one class of answer, on a server of its own: what was wrong, if anything.
async fn run_row<F, Fut>(
    call: &MatrixCall,
    answer: Answer,
    expect: Expect,
    support: &[Route],
    run: &F,
) -> Vec<String>
where
    F: Fn(&'static str, String) -> Fut,
    Fut: Future<Output = Result<String, Error>>,
{
    let mut failures = Vec::new();
    let mut routes = support.to_vec();
    if let Some(reply) = call.reply(answer) {
        routes.insert(0, Route::new(call.method, &call.path, reply));
    }
    let server = match TruthServer::start(routes).await {
        Ok(server) => server,
        Err(error) => panic!("cannot start the truth server: {error}"),
    };
    let refusing = match answer {
        Answer::TimeoutBeforeSend => match RefusingPort::bind() {
            Ok(port) => Some(port),
            Err(error) => panic!("cannot take a loopback port: {error}"),
        },
        _ => None,
    };
    let base_url = refusing.as_ref().map_or_else(
        || server.base_url().to_owned(),
        |port| port.base_url().to_owned(),
    );
    let result = run(call.call, base_url).await;
    let route = format!("{} {}", call.method, call.path);
    if let Err(why) = check(call, expect, &result) {
        failures.push(format!(
            "{} × {}: expected {}, {why}; got {}",
            call.call,
            answer.label(),
            expect.label(),
            shown(&result)
        ));
    }
    let sends = server.hits(&route);
    if sends > call.max_sends {
        failures.push(format!(
            "{} × {}: sent {sends} times, at most {} allowed",
            call.call,
            answer.label(),
            call.max_sends
        ));
    }
    let followed = server
        .all_hits()
        .iter()
        .any(|(route, _)| route.ends_with(REDIRECT_TARGET));
    if followed {
        failures.push(format!(
            "{} × {}: a redirect was followed",
            call.call,
            answer.label()
        ));
    }
    failures
}

fn shown(result: &Result<String, Error>) -> String {
    match result {
        Ok(state) => format!("Ok({state})"),
        Err(error) => format!("Err({error}) = {error:?}"),
    }
}

fn check(call: &MatrixCall, expect: Expect, result: &Result<String, Error>) -> Result<(), String> {
    match (expect, result) {
        (Expect::State(state), Ok(got)) if got == state => Ok(()),
        (Expect::State(_), _) => Err("another result".into()),
        (_, Ok(_)) => Err("an Ok".into()),
        (Expect::Refused, Err(error)) => {
            if error.outcome_unknown() || error.is_retryable() {
                Err("a refusal must be final and known".into())
            } else {
                Ok(())
            }
        }
        (Expect::Retryable, Err(error)) => {
            if error.is_retryable() && !error.outcome_unknown() {
                Ok(())
            } else {
                Err("not retryable, or unknown".into())
            }
        }
        (Expect::RateLimited, Err(error)) => match error {
            Error::RateLimited { retry_after, .. }
                if *retry_after == Some(Duration::from_secs(7)) =>
            {
                Ok(())
            }
            _ => Err("not RateLimited with Retry-After 7".into()),
        },
        (Expect::Unknown, Err(error)) => {
            if !error.outcome_unknown() || error.is_retryable() {
                return Err("not an unknown outcome".into());
            }
            let Some(ids) = error.payment_ref() else {
                return Err("no payment ids".into());
            };
            let shown = error.to_string();
            for id in &call.ids {
                if ids.payment_hash_secret() == Some(*id) {
                    // The hash is a secret: kept in payment_ref(), never displayed.
                    if shown.contains(id) {
                        return Err("the payment hash is displayed".into());
                    }
                    continue;
                }
                let known = [
                    &ids.provider_payment_id,
                    &ids.provider_order_id,
                    &ids.merchant_reference,
                ];
                if !known.iter().any(|known| known.as_deref() == Some(*id)) {
                    return Err(format!("id {id:?} missing from payment_ref()"));
                }
                if !shown.contains(id) {
                    return Err(format!("id {id:?} missing from Display"));
                }
            }
            Ok(())
        }
    }
}

/// The Markdown table of `calls`: one row per call, one column per class of answer, and how to
/// reconcile.
pub fn render_table(calls: &[MatrixCall]) -> String {
    let mut table = String::from("| call |");
    for answer in Answer::ALL {
        table.push_str(&format!(" {} |", answer.label()));
    }
    table.push_str(" reconcile an unknown outcome |\n|---|");
    for _ in Answer::ALL {
        table.push_str("---|");
    }
    table.push_str("---|\n");
    for call in calls {
        table.push_str(&format!("| `{}` |", call.call));
        for answer in Answer::ALL {
            let cell = call
                .expectation(answer)
                .map_or_else(|| "?".to_owned(), Expect::label);
            table.push_str(&format!(" {cell} |"));
        }
        table.push_str(&format!(" {} |\n", call.reconcile));
    }
    table
}

/// Panics unless the README at `path` contains [`render_table`] of `calls` verbatim, printing
/// the table to paste.
pub fn assert_readme_table(path: &std::path::Path, calls: &[MatrixCall]) {
    let table = render_table(calls);
    let readme = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        readme.contains(&table),
        "{} does not contain the truth matrix; paste this:\n\n{table}",
        path.display()
    );
}

#[cfg(test)]
mod tests;
