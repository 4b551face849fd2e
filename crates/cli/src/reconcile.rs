//! `paykit reconcile`: one sweep of core's [`Reconciler`] over the shared payment records (or
//! one every `--watch` seconds), with each provider's client built as `status` builds it.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use paykit_core::PaymentProvider;
use paykit_core::reconcile::{Reconciler, ReconcilerConfig};

use crate::args::{Provider, ReconcileArgs};
use crate::live::{FAILED, usage};
use crate::stores::{self, StoreError, Stores};
use crate::sweep_json::{describe_report, store_unreadable};
use crate::{clients, output};

pub(crate) async fn run(args: ReconcileArgs) -> ExitCode {
    // Checked before anything is contacted.
    if args.base_url.is_some() && distinct(&args.provider).len() != 1 {
        return usage(
            "--base-url needs exactly one --provider; with several, set each one's \
             PAYKIT_<PROVIDER>_BASE_URL",
        );
    }
    let stores = match stores::open(&args.store).await {
        Ok(Some(stores)) => stores,
        // clap already requires --records; this keeps the command safe if that changes.
        Ok(None) => return usage("reconcile needs --records <URL> (or PAYKIT_RECORDS_URL)"),
        Err(StoreError::Usage(message)) => return usage(&message),
        Err(StoreError::Unavailable(message)) => {
            output::error(&message);
            return ExitCode::from(FAILED);
        }
    };
    let providers = match providers(&args, &stores) {
        Ok(providers) => providers,
        Err(message) => return usage(&message),
    };
    let config = ReconcilerConfig::default()
        .older_than(Duration::from_secs(args.older_than))
        .batch(usize::try_from(args.batch).unwrap_or(usize::MAX));
    let reconciler = Reconciler::new(stores.records, providers, config);
    match args.watch {
        None => sweep(&reconciler, false).await,
        Some(seconds) => watch(&reconciler, Duration::from_secs(seconds)).await,
    }
}

/// One sweep, its report on stdout (one line when `compact`); exit 1 when the records could
/// not be read.
async fn sweep(reconciler: &Reconciler, compact: bool) -> ExitCode {
    let report = reconciler.sweep().await;
    let described = describe_report(&report);
    if compact {
        output::line(&described.to_string());
    } else {
        output::json(&described);
    }
    if store_unreadable(&report) {
        output::error("the payment records could not be read (see failed)");
        return ExitCode::from(FAILED);
    }
    ExitCode::SUCCESS
}

/// Sweeps every `interval` until the process is interrupted. A sweep that cannot read the
/// records is reported and the next one tries again: a store that is down for a minute should
/// not end a reconciler meant to run for days.
async fn watch(reconciler: &Reconciler, interval: Duration) -> ExitCode {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let _exit = sweep(reconciler, true).await;
    }
}

/// The clients to ask. Named providers must all be configured (a missing credential is a
/// usage error, as for `status`); without names, every provider that can be built from the
/// environment, and the others are named on stderr.
fn providers(
    args: &ReconcileArgs,
    stores: &Stores,
) -> Result<Vec<Arc<dyn PaymentProvider>>, String> {
    let named = distinct(&args.provider);
    if !named.is_empty() {
        return named
            .into_iter()
            .map(|provider| {
                clients::connect(provider, args.base_url.as_deref(), Some(stores))
                    .map(Arc::from)
                    .map_err(|message| format!("{}: {message}", provider.name()))
            })
            .collect();
    }
    let mut built = Vec::new();
    for provider in Provider::ALL {
        match clients::connect(provider, None, Some(stores)) {
            Ok(client) => built.push(Arc::from(client)),
            Err(message) => output::error(&format!("not asking {}: {message}", provider.name())),
        }
    }
    if built.is_empty() {
        return Err("no provider is configured: set one's credentials (see --help)".into());
    }
    Ok(built)
}

/// `providers` without repeats, in the order given.
fn distinct(providers: &[Provider]) -> Vec<Provider> {
    let mut unique = Vec::new();
    for provider in providers {
        if !unique.contains(provider) {
            unique.push(*provider);
        }
    }
    unique
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_providers_count_once() {
        assert_eq!(
            distinct(&[Provider::Maib, Provider::Bog, Provider::Maib]),
            [Provider::Maib, Provider::Bog]
        );
        assert!(distinct(&[]).is_empty());
    }
}
