//! The command line, as clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

/// Online payments through maib, miaPOS, Bank of Georgia (iPay and the Payments API) and Maya
/// (Mini App payments and the payment gateway), from the command line.
#[derive(Debug, Parser)]
#[command(name = "paykit", version, about, after_help = RECORDS_OVERVIEW)]
pub(crate) struct Cli {
    /// Log HTTP calls and retries to stderr (secrets are never logged).
    #[arg(long, short, global = true)]
    pub(crate) verbose: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run full payment lifecycles against the embedded simulator (no credentials needed).
    Demo {
        /// Only these providers (repeatable); all six by default.
        #[arg(long, value_enum)]
        provider: Vec<Provider>,
    },
    /// Serve the simulator until stopped. The first stdout line is a JSON object with each
    /// provider's base URL and test credentials. `paykit sim trigger` talks to a running one.
    #[command(args_conflicts_with_subcommands = true, after_help = SIM_HELP)]
    Sim {
        #[command(flatten)]
        serve: SimArgs,
        #[command(subcommand)]
        command: Option<SimCommand>,
    },
    /// Create a payment.
    #[command(after_help = CREDENTIALS)]
    Pay(PayArgs),
    /// Show a payment's status.
    #[command(after_help = CREDENTIALS)]
    Status(StatusArgs),
    /// Refund a payment, fully or partly.
    #[command(after_help = CREDENTIALS)]
    Refund(RefundArgs),
    /// Ask providers about the payments the shared records leave unsettled, and record what
    /// they say. Prints a JSON report.
    #[command(
        after_help = RECONCILE_HELP,
        mut_arg("records", |arg| arg.required(true)),
    )]
    Reconcile(ReconcileArgs),
    /// Callback tools.
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
}

/// `paykit sim --help`: the control command.
const SIM_HELP: &str = "\
With a simulator running (`paykit sim` in another terminal), `paykit sim trigger` makes it
send a payment's callback again now, e.g. after the merchant's endpoint was down:
  paykit sim trigger --provider maib --payment <payId> --base-url <maib base_url>";

/// `paykit sim [flags]`: how to serve the simulator.
#[derive(Debug, Args)]
pub(crate) struct SimArgs {
    /// First port: maib gets N, miaPOS N+1, iPay N+2, Maya N+3, the BOG Payments API N+4,
    /// Maya's payment gateway N+5.
    /// Ephemeral ports by default.
    #[arg(long)]
    pub(crate) port: Option<u16>,
    /// Where the simulated iPay sends its (form-encoded) callbacks.
    #[arg(long)]
    pub(crate) bog_callback_url: Option<String>,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub(crate) latency_ms: u64,
    /// Share of requests answered with HTTP 503, in percent.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub(crate) error_rate: u8,
    /// Do not deliver callbacks.
    #[arg(long)]
    pub(crate) drop_callbacks: bool,
}

/// What `paykit sim` can do besides serving.
#[derive(Debug, Subcommand)]
pub(crate) enum SimCommand {
    /// Make a running `paykit sim` send a payment's callback now, built from the payment's
    /// current state and signed as the provider signs it. Prints the delivery's record as one
    /// JSON line.
    #[command(after_help = TRIGGER_HELP)]
    Trigger(TriggerArgs),
}

/// `paykit sim trigger --help`: what it prints and its exit codes.
const TRIGGER_HELP: &str = "\
The record printed: {provider, url, content_type, body, headers: [{name, value}], attempt,
outcome: {state: delivered (with status) | failed (with error) | dropped}}. The callback is
posted once and not retried; the simulator's --drop-callbacks applies to it.
Payment ids are the provider's, as `paykit pay` prints them (provider_payment_id): maib payId,
miaPOS paymentId, iPay order_id, the Payments API's order id, Maya's gateway paymentId or
checkout id. The simulator refuses, naming the problem, an unknown payment, a provider that
sends no callbacks (maya), a payment whose state has no callback yet (e.g. not paid yet), and
a payment with no callback URL on record when --url is not given.

Exit codes: 0 the merchant answered 2xx; 1 the simulator refused, could not be reached, or the
merchant did not accept the callback (the record is still printed); 2 usage error, nothing
sent.";

/// `paykit sim trigger`.
#[derive(Debug, Args)]
pub(crate) struct TriggerArgs {
    /// The provider whose callback to send.
    #[arg(long, value_enum)]
    pub(crate) provider: Provider,
    /// The provider's payment id.
    #[arg(long, value_name = "ID")]
    pub(crate) payment: String,
    /// Send it here instead of the callback URL on record for the payment.
    #[arg(long)]
    pub(crate) url: Option<String>,
    /// The provider's `base_url` from the `paykit sim` announcement; by default
    /// `PAYKIT_<PROVIDER>_BASE_URL`. Only its scheme, host and port are used. There is no
    /// production default: a real provider has no such endpoint.
    #[arg(long)]
    pub(crate) base_url: Option<String>,
}

/// What `paykit --help` says about `--records`.
const RECORDS_OVERVIEW: &str = "\
Payment records: `pay`, `status` and `refund` keep what they did in memory, for that one
command, unless `--records <URL>` (or PAYKIT_RECORDS_URL) names a shared store, Redis or
PostgreSQL. Then a later command knows what an earlier one did (a maib hold is reported as
authorized, not captured), and `paykit reconcile` asks the providers about the payments left
unsettled.";

/// Where the provider commands find credentials and base URLs. A macro, so that `concat!` can
/// put it in more than one help text.
macro_rules! credentials_help {
    () => {
        "Credentials come from the environment:
  maib    PAYKIT_MAIB_PROJECT_ID, PAYKIT_MAIB_PROJECT_SECRET
  miapos  PAYKIT_MIAPOS_MERCHANT_ID, PAYKIT_MIAPOS_SECRET_KEY, PAYKIT_MIAPOS_TERMINAL_ID
  bog     PAYKIT_BOG_CLIENT_ID, PAYKIT_BOG_SECRET_KEY
  bog-payments  PAYKIT_BOG_PAYMENTS_CLIENT_ID, PAYKIT_BOG_PAYMENTS_CLIENT_SECRET,
          PAYKIT_BOG_PAYMENTS_BASE_URL (the API base, e.g. <sim base_url>/payments/v1; a bare
          host gets /payments/v1), PAYKIT_BOG_PAYMENTS_TOKEN_URL (default
          <scheme://host of the base URL>/auth/realms/bog/protocol/openid-connect/token with a
          base URL, as `paykit sim` serves it)
  maya    PAYKIT_MAYA_CLIENT_ID, PAYKIT_MAYA_CLIENT_SECRET, PAYKIT_MAYA_P2M_ID,
          PAYKIT_MAYA_TOKEN_URL (default <base-url>/oauth/token with a base URL),
          and the customer session: PAYKIT_MAYA_ACCESS_TOKEN, PAYKIT_MAYA_REFRESH_TOKEN,
          PAYKIT_MAYA_EXPIRES_AT (Unix seconds)
  maya-checkout  PAYKIT_MAYA_CHECKOUT_PUBLIC_KEY (pk-…), PAYKIT_MAYA_CHECKOUT_SECRET_KEY (sk-…)
The base URL is --base-url, else PAYKIT_<PROVIDER>_BASE_URL (e.g. PAYKIT_MAIB_BASE_URL),
else the provider's production URL (miaPOS: its sandbox). --sandbox picks the provider's
documented sandbox host instead (miaPOS ecomm-test.miapos.md, iPay dev.ipay.ge, Maya
op-sandbox.paymaya.com with PAYKIT_MAYA_TOKEN_URL, bog-payments api-sandbox.bog.ge and its
sandbox token host, maya-checkout pg-sandbox.paymaya.com); maib documents none for e-commerce
v1, so it refuses --sandbox.
With `paykit sim`, pass its base_url as --base-url and its credentials from the announcement."
    };
}

/// `pay`, `status` and `refund`: credentials and exit codes.
const CREDENTIALS: &str = concat!(
    credentials_help!(),
    "

Exit codes: 0 done; 1 failed, nothing happened; 2 usage error, nothing sent;
3 outcome unknown: the provider may have acted (or it did, but the payment record could not
be written), so check the payment before trying again (the error on stderr lists every id to
reconcile with). bog-payments: every money-moving call carries an Idempotency-Key (in the
outcome on stdout, or on stderr when the call fails); after exit 3, repeat the same command
with --idempotency-key KEY and BOG answers what it did the first time, never twice.
maya-checkout: Maya documents no idempotency, so nothing that moves money is ever sent twice;
after exit 3, look the payment up (`paykit status`) before trying again. `refund` voids on the
payment's day (Asia/Manila, whole amount only) and refunds from the next day (--reversal)."
);

/// `reconcile`: what it prints, credentials and exit codes.
const RECONCILE_HELP: &str = concat!(
    "The report (one JSON object; with --watch, one line per sweep):
  {examined, changed: [{provider, ids, from, to}], settled, still_open,
   failed: [{ids, error}], no_provider}
ids never show iPay's payment hash (only whether it is known). A record whose provider is not
configured here counts in no_provider and is left as it is.

",
    credentials_help!(),
    "
Without --provider, every provider whose credentials are set is asked (the others are named on
stderr). --base-url needs exactly one --provider: with several, each one's base URL comes from
its PAYKIT_<PROVIDER>_BASE_URL or is its production URL.

Exit codes: 0 the sweep ran (even when some payments could not be asked about: see failed);
1 the records could not be read; 2 usage error, nothing read or sent."
);

/// How a maib payment was created (`--flow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum MaibFlow {
    /// `pay`, one-click or recurring: `OK` is captured.
    Direct,
    /// `hold`: `OK` is authorized, not captured.
    Hold,
    /// `savecard-*`: `OK` means the amount sent with it was charged.
    SaveCard,
}

/// Provider selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Provider {
    /// maib e-commerce API v1.
    Maib,
    /// miaPOS e-commerce.
    Miapos,
    /// Bank of Georgia iPay.
    Bog,
    /// Maya Mini App payments.
    Maya,
    /// Bank of Georgia Payments API (api.bog.ge/payments/v1), iPay's successor.
    BogPayments,
    /// Maya's payment gateway: Checkout, Vault, Pay with Maya, signed webhooks.
    MayaCheckout,
}

impl Provider {
    pub(crate) const ALL: [Provider; 6] = [
        Provider::Maib,
        Provider::Miapos,
        Provider::Bog,
        Provider::Maya,
        Provider::BogPayments,
        Provider::MayaCheckout,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Provider::Maib => "maib",
            Provider::Miapos => "miapos",
            Provider::Bog => "bog",
            Provider::Maya => "maya",
            Provider::BogPayments => "bog-payments",
            Provider::MayaCheckout => "maya-checkout",
        }
    }

    /// The middle of its environment variables' names: `PAYKIT_<THIS>_BASE_URL`.
    pub(crate) fn env_name(self) -> String {
        self.name().replace('-', "_").to_ascii_uppercase()
    }
}

/// Where payment records are kept (`--records`).
#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    /// Shared payment records (and, on Redis, access tokens):
    /// `redis://[:PASSWORD@]HOST[:PORT][/DB]`, `rediss://…` (TLS), or
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` (or `postgresql://`; its tables are created
    /// on first use). Without it, `pay`, `status` and `refund` keep records in memory for that
    /// one command; `reconcile` needs it.
    // The URL may hold a password: kept as a secret (no Debug shows it), its environment value
    // hidden from --help, and parsed here rather than by a clap parser whose errors quote it.
    #[arg(
        long,
        value_name = "URL",
        env = "PAYKIT_RECORDS_URL",
        hide_env_values = true,
        value_parser = secret
    )]
    pub(crate) records: Option<SecretString>,
    /// Redis only (ignored for PostgreSQL): the start of every key, so that several shops or
    /// tests can share one server.
    #[arg(
        long,
        value_name = "PREFIX",
        env = "PAYKIT_RECORDS_PREFIX",
        hide_env_values = true,
        default_value = "paykit:"
    )]
    pub(crate) records_prefix: String,
}

/// A command-line value as a secret.
fn secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value.to_owned()))
}

/// Where and as whom to talk to a real provider.
#[derive(Debug, Args)]
pub(crate) struct Target {
    /// The provider.
    #[arg(long, value_enum)]
    pub(crate) provider: Provider,
    /// Base URL (e.g. a `paykit sim` address); `PAYKIT_<PROVIDER>_BASE_URL`, else the
    /// provider's production URL, by default.
    #[arg(long)]
    pub(crate) base_url: Option<String>,
    /// The provider's documented sandbox host instead of production (and instead of
    /// `PAYKIT_<PROVIDER>_BASE_URL`). maib has none for e-commerce v1 and refuses it.
    #[arg(long, conflicts_with = "base_url")]
    pub(crate) sandbox: bool,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ReconcileArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Ask only these providers (repeatable); every provider whose credentials are set by
    /// default.
    #[arg(long, value_enum)]
    pub(crate) provider: Vec<Provider>,
    /// Base URL of the one --provider (e.g. a `paykit sim` address).
    #[arg(long)]
    pub(crate) base_url: Option<String>,
    /// Only records unchanged for at least this many seconds: a call in flight or a customer
    /// still on the payment page is left alone.
    #[arg(long, value_name = "SECS", default_value_t = 900)]
    pub(crate) older_than: u64,
    /// At most this many records per sweep, oldest first.
    #[arg(long, value_name = "N", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) batch: u32,
    /// Sweep again every SECS seconds until interrupted (Ctrl-C), one JSON line per sweep.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) watch: Option<u64>,
}

#[derive(Debug, Args)]
pub(crate) struct PayArgs {
    #[command(flatten)]
    pub(crate) target: Target,
    /// Amount in major units, e.g. 10.25.
    #[arg(long)]
    pub(crate) amount: String,
    /// ISO currency code; the provider's home currency by default.
    #[arg(long)]
    pub(crate) currency: Option<String>,
    /// The merchant's order id.
    #[arg(long)]
    pub(crate) order_id: Option<String>,
    /// Description shown to the customer.
    #[arg(long)]
    pub(crate) description: Option<String>,
    /// Where the customer returns after paying.
    #[arg(long)]
    pub(crate) return_url: Option<String>,
    /// Where the provider posts the result (bog-payments: required, an https URL).
    #[arg(long)]
    pub(crate) callback_url: Option<String>,
    /// Customer IPv4 address (maib requires one).
    #[arg(long)]
    pub(crate) client_ip: Option<std::net::Ipv4Addr>,
    /// Reserve now and capture later (two-step), where supported.
    #[arg(long)]
    pub(crate) manual_capture: bool,
    #[command(flatten)]
    pub(crate) idempotency: IdempotencyArgs,
}

/// `--idempotency-key` of the money-moving commands.
#[derive(Debug, Args)]
pub(crate) struct IdempotencyArgs {
    /// bog-payments only: the operation's Idempotency-Key (a UUID v4). A fresh one is made
    /// when omitted and printed; pass it again to repeat an operation whose outcome was
    /// unknown (exit 3): BOG answers what it did the first time. A refund with a key is taken
    /// as such a repeat, so the receipt checks made before a new refund are skipped.
    #[arg(long, value_name = "UUID")]
    pub(crate) idempotency_key: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    pub(crate) target: Target,
    /// The provider's payment id.
    #[arg(long)]
    pub(crate) id: String,
}

#[derive(Debug, Args)]
pub(crate) struct RefundArgs {
    #[command(flatten)]
    pub(crate) target: Target,
    /// The provider's payment id.
    #[arg(long)]
    pub(crate) id: String,
    /// Amount to refund in major units; everything refundable when omitted.
    #[arg(long)]
    pub(crate) amount: Option<String>,
    /// ISO currency code of the amount; the provider's home currency by default.
    #[arg(long)]
    pub(crate) currency: Option<String>,
    #[command(flatten)]
    pub(crate) idempotency: IdempotencyArgs,
    /// maya-checkout only: void or refund. `calendar` (the default) voids on the payment's
    /// day (Asia/Manila, the whole amount only) and refunds from the next day; `void` and
    /// `refund` choose explicitly (Maya refuses a void after the payment's day and a refund
    /// on it).
    #[arg(long, value_enum)]
    pub(crate) reversal: Option<Reversal>,
}

/// How `refund --provider maya-checkout` returns the money (`--reversal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Reversal {
    /// By the Asia/Manila calendar: void on the payment's day, refund from the next.
    Calendar,
    /// Always void (the whole amount).
    Void,
    /// Always refund (whole or part).
    Refund,
}

#[derive(Debug, Subcommand)]
pub(crate) enum WebhookCommand {
    /// Check a callback body offline. Exit 0 and the event as JSON when authentic, 1 when not,
    /// 2 on usage errors or unreadable input.
    Verify(VerifyArgs),
    /// Sign a callback body with a test key, as the provider would, and print it (for
    /// testing a merchant endpoint or `webhook verify`). Exit 0, or 2 on usage errors and
    /// unreadable or unsignable input.
    #[command(after_help = SIGN_HELP)]
    Sign(SignArgs),
}

/// `webhook sign`: what each provider takes and prints.
const SIGN_HELP: &str = "\
What is read and printed, per provider:
  maib          reads the `result` object (JSON, kept byte for byte); --key-file holds the
                project's signature key; prints {\"result\":…,\"signature\":\"…\"}
  miapos        reads the `result` object; --key-file holds an RSA PKCS#8 private key PEM;
                prints {\"result\":…,\"signature\":\"…\"}
  bog-payments  reads the whole callback body; --key-file holds an RSA PKCS#8 private key
                PEM; prints the `Callback-Signature: …` header line, an empty line, then
                the body exactly as signed
  maya-checkout reads the whole webhook body (JSON); --key-file holds an RSA PKCS#8 private
                key PEM; prints the `X-Maya-Webhook-Signature: nonce=…,v1=…` and
                `X-Maya-Webhook-Timestamp: …` header lines, an empty line, then the body
                exactly as signed (--nonce and --timestamp-ms fix what is otherwise fresh)
Keys are read from files only: argv is visible to every user of the machine.";

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// maib, miapos, bog-payments or maya-checkout (the providers whose callbacks are signed).
    #[arg(long, value_enum)]
    pub(crate) provider: Provider,
    /// The signing key: maib's signature key, or an RSA PKCS#8 private key in PEM.
    #[arg(long, value_name = "PATH")]
    pub(crate) key_file: PathBuf,
    /// maya-checkout: the signature's nonce (hex); a fresh random one by default.
    #[arg(long, value_name = "HEX")]
    pub(crate) nonce: Option<String>,
    /// maya-checkout: the send time, Unix milliseconds; now by default.
    #[arg(long, value_name = "MS")]
    pub(crate) timestamp_ms: Option<u64>,
    /// What to sign; stdin when omitted or `-`.
    pub(crate) file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// maib, miapos, bog-payments or maya-checkout (the providers whose callbacks are signed).
    #[arg(long, value_enum)]
    pub(crate) provider: Provider,
    /// bog-payments and maya-checkout: a file holding the RSA public key callbacks are
    /// checked against, e.g. the `callback_public_key_pem` (bog-payments, PEM or base64
    /// SPKI) or `webhook_public_key_pem` (maya-checkout, PEM) `paykit sim` announces. The
    /// provider's published production keys (with --sandbox: its sandbox keys) by default.
    #[arg(long, value_name = "PATH")]
    pub(crate) public_key_file: Option<PathBuf>,
    /// bog-payments and maya-checkout: check against the provider's published sandbox keys
    /// instead of production's.
    #[arg(long, conflicts_with = "public_key_file")]
    pub(crate) sandbox: bool,
    /// A request header sent with the callback, `'Name: value'` (repeatable):
    /// bog-payments signs in `Callback-Signature`; maya-checkout in
    /// `X-Maya-Webhook-Signature` and `X-Maya-Webhook-Timestamp` (both needed).
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    pub(crate) headers: Vec<String>,
    /// maya-checkout: "now" for the ±5 minute timestamp window, Unix milliseconds (to check
    /// an old delivery offline, or one from a simulator whose clock was advanced); the
    /// system clock by default.
    #[arg(long, value_name = "MS")]
    pub(crate) now_ms: Option<u64>,
    /// maib: a file holding the project's signature key (or set PAYKIT_MAIB_SIGNATURE_KEY).
    /// The key itself is never taken as an argument: argv is visible to every user of the
    /// machine (`ps`) and lands in shell history.
    #[arg(long, value_name = "PATH")]
    pub(crate) signature_key_file: Option<PathBuf>,
    /// miaPOS: the public key, base64 DER SubjectPublicKeyInfo.
    #[arg(long)]
    pub(crate) public_key: Option<String>,
    /// maib: how the payment was created. maib's `OK` means captured for `direct` payments
    /// but only authorized for a `hold`; without this an `OK` is reported as an unknown event
    /// rather than guessed.
    #[arg(long, value_enum)]
    pub(crate) flow: Option<MaibFlow>,
    /// The callback body; stdin when omitted or `-`.
    pub(crate) file: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_parsed_records_url_keeps_its_password_out_of_debug() {
        let cli = Cli::try_parse_from([
            "paykit",
            "status",
            "--provider",
            "maib",
            "--id",
            "pay-1",
            "--records",
            "redis://:hunter2@10.0.0.5:6379/0",
        ])
        .unwrap();
        let Command::Status(status) = &cli.command else {
            panic!("{cli:?}");
        };
        assert!(status.target.store.records.is_some());
        let shown = format!("{cli:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn sim_serves_with_flags_or_runs_trigger() {
        let cli =
            Cli::try_parse_from(["paykit", "sim", "--port", "9000", "--drop-callbacks"]).unwrap();
        let Command::Sim { serve, command } = &cli.command else {
            panic!("{cli:?}");
        };
        assert_eq!(
            (serve.port, serve.drop_callbacks, command.is_none()),
            (Some(9000), true, true)
        );
        let cli = Cli::try_parse_from([
            "paykit",
            "sim",
            "trigger",
            "--provider",
            "maib",
            "--payment",
            "p-1",
        ])
        .unwrap();
        let Command::Sim {
            command: Some(SimCommand::Trigger(trigger)),
            ..
        } = &cli.command
        else {
            panic!("{cli:?}");
        };
        assert_eq!(
            (trigger.provider, trigger.payment.as_str()),
            (Provider::Maib, "p-1")
        );
        assert!(trigger.url.is_none() && trigger.base_url.is_none());
        // Serving flags belong to `sim` itself, not to `trigger`.
        let mixed = Cli::try_parse_from([
            "paykit",
            "sim",
            "--port",
            "9000",
            "trigger",
            "--provider",
            "maib",
            "--payment",
            "p",
        ]);
        assert!(mixed.is_err());
        let missing = Cli::try_parse_from(["paykit", "sim", "trigger", "--provider", "maib"]);
        assert!(missing.unwrap_err().to_string().contains("--payment"));
    }

    #[test]
    fn reconcile_requires_records_and_the_others_do_not() {
        let reconcile = Cli::try_parse_from(["paykit", "reconcile"]).unwrap_err();
        assert_eq!(
            reconcile.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
        assert!(reconcile.to_string().contains("--records"), "{reconcile}");
        let status = Cli::try_parse_from(["paykit", "status", "--provider", "bog", "--id", "1"]);
        assert!(status.is_ok());
    }
}
