//! The command line, as clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Online payments through maib, miaPOS, Bank of Georgia iPay and Maya, from the command line.
#[derive(Debug, Parser)]
#[command(name = "paykit", version, about)]
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
        /// Only these providers (repeatable); all four by default.
        #[arg(long, value_enum)]
        provider: Vec<Provider>,
    },
    /// Serve the simulator until stopped. The first stdout line is a JSON object with each
    /// provider's base URL and test credentials.
    Sim {
        /// First port: maib gets N, miaPOS N+1, iPay N+2, Maya N+3. Ephemeral ports by default.
        #[arg(long)]
        port: Option<u16>,
        /// Where the simulated iPay sends its (form-encoded) callbacks.
        #[arg(long)]
        bog_callback_url: Option<String>,
        /// Added latency per request, in milliseconds.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// Share of requests answered with HTTP 503, in percent.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
        error_rate: u8,
        /// Do not deliver callbacks.
        #[arg(long)]
        drop_callbacks: bool,
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
    /// Callback tools.
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
}

/// Where `pay`, `status` and `refund` find credentials.
const CREDENTIALS: &str = "Credentials come from the environment:
  maib    PAYKIT_MAIB_PROJECT_ID, PAYKIT_MAIB_PROJECT_SECRET
  miapos  PAYKIT_MIAPOS_MERCHANT_ID, PAYKIT_MIAPOS_SECRET_KEY, PAYKIT_MIAPOS_TERMINAL_ID
  bog     PAYKIT_BOG_CLIENT_ID, PAYKIT_BOG_SECRET_KEY
  maya    PAYKIT_MAYA_CLIENT_ID, PAYKIT_MAYA_CLIENT_SECRET, PAYKIT_MAYA_P2M_ID,
          PAYKIT_MAYA_TOKEN_URL (default <base-url>/oauth/token with --base-url),
          and the customer session: PAYKIT_MAYA_ACCESS_TOKEN, PAYKIT_MAYA_REFRESH_TOKEN,
          PAYKIT_MAYA_EXPIRES_AT (Unix seconds)
With `paykit sim`, pass its base_url as --base-url and its credentials from the announcement.

Exit codes: 0 done; 1 failed, nothing happened; 2 usage error, nothing sent;
3 outcome unknown: the provider may have acted, check the payment before trying again
(the error on stderr lists every id to reconcile with).";

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
}

impl Provider {
    pub(crate) const ALL: [Provider; 4] = [
        Provider::Maib,
        Provider::Miapos,
        Provider::Bog,
        Provider::Maya,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Provider::Maib => "maib",
            Provider::Miapos => "miapos",
            Provider::Bog => "bog",
            Provider::Maya => "maya",
        }
    }
}

/// Where and as whom to talk to a real provider.
#[derive(Debug, Args)]
pub(crate) struct Target {
    /// The provider.
    #[arg(long, value_enum)]
    pub(crate) provider: Provider,
    /// Base URL (e.g. a `paykit sim` address); the provider's production URL by default.
    #[arg(long)]
    pub(crate) base_url: Option<String>,
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
    /// Where the provider posts the result.
    #[arg(long)]
    pub(crate) callback_url: Option<String>,
    /// Customer IPv4 address (maib requires one).
    #[arg(long)]
    pub(crate) client_ip: Option<std::net::Ipv4Addr>,
    /// Reserve now and capture later (two-step), where supported.
    #[arg(long)]
    pub(crate) manual_capture: bool,
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
}

#[derive(Debug, Subcommand)]
pub(crate) enum WebhookCommand {
    /// Check a callback body offline. Exit 0 and the event as JSON when authentic, 1 when not,
    /// 2 on usage errors or unreadable input.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// maib or miapos (the providers whose callbacks are signed).
    #[arg(long, value_enum)]
    pub(crate) provider: Provider,
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
