//! The command line: `paykit-peers [measure|serve] [--payments N] [--millis MS]`.

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Measure paykit against a simulator of its own and print the numbers as JSON.
    Measure,
    /// Print the simulator's details as one JSON line and serve until stdin closes.
    Serve,
}

/// The parsed command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Args {
    /// Measure or serve.
    pub(crate) mode: Mode,
    /// Payments prepared per provider; status calls cycle over them.
    pub(crate) payments: usize,
    /// How long each metric is measured, in milliseconds.
    pub(crate) millis: u64,
}

/// Payments per provider unless `--payments` says otherwise.
pub(crate) const DEFAULT_PAYMENTS: usize = 50;
/// Milliseconds per metric unless `--millis` says otherwise.
pub(crate) const DEFAULT_MILLIS: u64 = 1500;

pub(crate) const USAGE: &str = "usage: paykit-peers [measure|serve] [--payments N] [--millis MS]";

/// Parses the arguments after the program name; `None` for anything not understood.
pub(crate) fn parse(args: &[String]) -> Option<Args> {
    let mut parsed = Args {
        mode: Mode::Measure,
        payments: DEFAULT_PAYMENTS,
        millis: DEFAULT_MILLIS,
    };
    let mut rest = args.iter().map(String::as_str);
    let mut first = true;
    while let Some(arg) = rest.next() {
        match arg {
            "measure" if first => parsed.mode = Mode::Measure,
            "serve" if first => parsed.mode = Mode::Serve,
            "--payments" => parsed.payments = rest.next()?.parse().ok().filter(|n| *n > 0)?,
            "--millis" => parsed.millis = rest.next()?.parse().ok().filter(|n| *n > 0)?,
            _ => return None,
        }
        first = false;
    }
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str) -> Option<Args> {
        let args: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        parse(&args)
    }

    #[test]
    fn measure_is_the_default_and_options_are_read() {
        assert_eq!(
            p(""),
            Some(Args {
                mode: Mode::Measure,
                payments: DEFAULT_PAYMENTS,
                millis: DEFAULT_MILLIS
            })
        );
        assert_eq!(
            p("serve --payments 7"),
            Some(Args {
                mode: Mode::Serve,
                payments: 7,
                millis: DEFAULT_MILLIS
            })
        );
        assert_eq!(
            p("measure --millis 200 --payments 3"),
            Some(Args {
                mode: Mode::Measure,
                payments: 3,
                millis: 200
            })
        );
    }

    #[test]
    fn mistakes_are_refused() {
        for bad in [
            "serve serve",
            "--payments",
            "--payments 0",
            "--payments x",
            "--millis -1",
            "measure --fast",
            "--millis 10 serve",
        ] {
            assert_eq!(p(bad), None, "{bad}");
        }
    }
}
