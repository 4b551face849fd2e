//! `cargo xtask servers`, the first step of `cargo xtask ci`: the programs the tests start are
//! installed, or are installed now. The store tests (paykit-redis, paykit-postgres, through
//! `paykit_testkit::servers`) start Redis and PostgreSQL; the example shop's browser test
//! (examples/shop/tests/browser.rs) starts headless Chromium through chromedriver.
//!
//! The lookup follows testkit's rules: `redis-server` on `PATH`, in `/usr/bin` or `/usr/sbin`;
//! `initdb`, `postgres` and `psql` on `PATH` or in any `/usr/lib/postgresql/<version>/bin`
//! (where Debian keeps them, off `PATH`). As root the tests run PostgreSQL as the `postgres`
//! user through `runuser`, so those are needed too. `chromium` and `chromedriver` are looked
//! for on `PATH` and in `/usr/bin`, where Debian's `chromium` and `chromium-driver` put them.
//! When something is missing, root on a Debian machine gets `apt-get install` of the packages
//! that ship what is missing; anyone else gets one line saying what to install.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::run::Failure;
use crate::workspace;

/// Every Debian package this step may install, in the order they are named and installed:
/// the store tests' servers (the same list as `paykit_testkit::servers::PACKAGES`; xtask
/// depends on nothing of ours, DESIGN.md §2), the shop browser test's browser and its
/// WebDriver server, and `util-linux` for `runuser` (Debian marks it essential, so it is only
/// installed when some stripped image lacks it).
const PACKAGES: [&str; 5] = [
    "redis-server",
    "postgresql",
    "chromium",
    "chromium-driver",
    "util-linux",
];

/// The Debian package that provides `missing` (a program, or the postgres user).
fn package_of(missing: &str) -> &'static str {
    match missing {
        "redis-server" => "redis-server",
        "chromium" => "chromium",
        "chromedriver" => "chromium-driver",
        "runuser" => "util-linux",
        // initdb, postgres, psql and the postgres user all come with Debian's postgresql.
        _ => "postgresql",
    }
}

/// The packages that provide everything in `missing`, each once, in [`PACKAGES`] order.
fn packages_for(missing: &[&str]) -> Vec<&'static str> {
    let needed: Vec<&str> = missing.iter().map(|m| package_of(m)).collect();
    PACKAGES
        .into_iter()
        .filter(|package| needed.contains(package))
        .collect()
}

/// Seconds `apt-get` waits for the dpkg lock: a fresh cloud machine often runs
/// unattended-upgrades at boot, and without a wait the install fails at once.
const LOCK_WAIT_SECS: u32 = 300;

/// What the lookup searches besides `PATH`: `/usr` on a real machine, a temporary directory in
/// tests.
#[derive(Debug, Clone)]
struct Places {
    /// The directories of `PATH`, in order.
    path: Vec<PathBuf>,
    /// The prefix holding `bin`, `sbin` and `lib/postgresql/<version>/bin`.
    usr: PathBuf,
}

impl Places {
    /// This machine's `PATH` and `/usr`.
    fn here() -> Places {
        let path = std::env::var_os("PATH")
            .map(|paths| std::env::split_paths(&paths).collect())
            .unwrap_or_default();
        Places {
            path,
            usr: PathBuf::from("/usr"),
        }
    }

    /// `program` on `PATH`, else in one of `dirs`.
    fn find(&self, program: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
        self.path
            .iter()
            .chain(dirs)
            .map(|dir| dir.join(program))
            .find(|candidate| is_executable(candidate))
    }

    /// `<usr>/lib/postgresql/*/bin`, highest version first.
    fn postgres_dirs(&self) -> Vec<PathBuf> {
        let root = self.usr.join("lib/postgresql");
        let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(&root)
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|entry| {
                        let name = entry.file_name().into_string().ok()?;
                        let number = name
                            .split('.')
                            .map(|part| part.parse::<u32>().ok())
                            .collect::<Option<Vec<u32>>>()?;
                        Some((number, entry.path().join("bin")))
                    })
                    .collect()
            })
            .unwrap_or_default();
        versions.sort_by(|a, b| b.0.cmp(&a.0));
        versions.into_iter().map(|(_, dir)| dir).collect()
    }

    /// The programs of [`PACKAGES`] (`runuser` only as root) that cannot be found.
    fn missing(&self, as_root: bool) -> Vec<&'static str> {
        let redis_dirs = [self.usr.join("bin"), self.usr.join("sbin")];
        let postgres_dirs = self.postgres_dirs();
        let browser_dirs = [self.usr.join("bin")];
        let mut missing = Vec::new();
        if self.find("redis-server", &redis_dirs).is_none() {
            missing.push("redis-server");
        }
        for program in ["initdb", "postgres", "psql"] {
            if self.find(program, &postgres_dirs).is_none() {
                missing.push(program);
            }
        }
        for program in ["chromium", "chromedriver"] {
            if self.find(program, &browser_dirs).is_none() {
                missing.push(program);
            }
        }
        if as_root && self.find("runuser", &redis_dirs).is_none() {
            missing.push("runuser");
        }
        missing
    }
}

/// A regular file someone may execute.
fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// One `apt-get` run, as data so that tests can read it without running it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AptRun {
    args: Vec<String>,
}

impl AptRun {
    /// `apt-get <args>` as printed.
    fn line(&self) -> String {
        format!(
            "DEBIAN_FRONTEND=noninteractive apt-get {}",
            self.args.join(" ")
        )
    }
}

/// What to do about the programs found missing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Plan {
    /// Everything is there.
    Ready,
    /// Root: refresh the package lists, then install.
    Install(Vec<AptRun>),
    /// Not root: fail with this line.
    Refuse(String),
}

/// The options every `apt-get` run gets: never a question, and a wait for the dpkg lock.
fn apt_options() -> Vec<String> {
    [
        "-y",
        "-q",
        "-o",
        &format!("DPkg::Lock::Timeout={LOCK_WAIT_SECS}"),
        // A changed configuration file of an upgraded dependency keeps the installed one
        // instead of asking.
        "-o",
        "Dpkg::Options::=--force-confdef",
        "-o",
        "Dpkg::Options::=--force-confold",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

/// The plan for `missing` programs, run as root or not.
///
/// `apt-get update` always comes first: a fresh Debian image ships no package lists (the
/// install would fail with "Unable to locate package"), and old lists name versions the mirror
/// no longer has (404). It only runs when something is missing, so it costs a few seconds once
/// per machine, and "try without, update on failure" would be a second code path for nothing.
fn plan(missing: &[&str], as_root: bool) -> Plan {
    if missing.is_empty() {
        return Plan::Ready;
    }
    let packages = packages_for(missing);
    if !as_root {
        return Plan::Refuse(format!(
            "the tests need {} (not found on PATH, in /usr/bin, /usr/sbin or \
             /usr/lib/postgresql/*/bin): sudo apt-get install -y {}",
            missing.join(", "),
            packages.join(" ")
        ));
    }
    let mut update = vec!["update".to_owned()];
    update.extend(apt_options());
    let mut install = vec!["install".to_owned()];
    install.extend(apt_options());
    install.push("--no-install-recommends".to_owned());
    install.extend(packages.iter().map(|p| (*p).to_owned()));
    Plan::Install(vec![AptRun { args: update }, AptRun { args: install }])
}

/// True when this process runs as root (`id -u` prints 0), as CI does.
fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// The user testkit runs PostgreSQL as when the tests run as root (PostgreSQL refuses root);
/// Debian's postgresql package creates it.
const POSTGRES_USER: &str = "postgres";

/// What this machine lacks: the programs, and as root the `postgres` user.
fn missing_here(places: &Places, as_root: bool) -> Vec<&'static str> {
    let mut missing = places.missing(as_root);
    let user_exists = || {
        Command::new("id")
            .arg("-u")
            .arg(POSTGRES_USER)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if as_root && !user_exists() {
        missing.push("the postgres user");
    }
    missing
}

/// Runs one `apt-get`, its output going to `log` and printed afterwards.
///
/// Not inherited: a package's maintainer script may start a service (Debian's postgresql starts
/// its own cluster on port 5432, redis-server listens on 6379), and a daemon that kept our
/// stdout would hold CI's log pipe open after we exit. A file it may keep open blocks nothing.
/// Those services are harmless to the tests, which start their own servers on free ports.
fn apt(run: &AptRun, log: &Path) -> Result<(), Failure> {
    println!("servers: {}", run.line());
    let file = std::fs::File::create(log)
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", log.display())))?;
    let err = file
        .try_clone()
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", log.display())))?;
    let status = Command::new("apt-get")
        .args(&run.args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .status();
    let output = std::fs::read_to_string(log).unwrap_or_default();
    for line in output.lines() {
        println!("    {line}");
    }
    match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(Failure::new(format!(
            "`{}` failed ({status}); its output is above and in {}",
            run.line(),
            log.display()
        ))),
        Err(error) => Err(Failure::new(format!("apt-get could not start: {error}"))),
    }
}

/// Checks the servers' programs; as root installs what is missing, otherwise fails with one
/// line naming it.
pub(crate) fn ensure() -> Result<(), Failure> {
    let places = Places::here();
    let as_root = running_as_root();
    let missing = missing_here(&places, as_root);
    let runs = match plan(&missing, as_root) {
        Plan::Ready => {
            println!(
                "servers: redis-server, initdb, postgres, psql, chromium and chromedriver found{}",
                if as_root {
                    ", and runuser and the postgres user (running as root)"
                } else {
                    ""
                }
            );
            return Ok(());
        }
        Plan::Refuse(line) => return Err(Failure::new(line)),
        Plan::Install(runs) => runs,
    };
    println!(
        "servers: missing {}; installing as root",
        missing.join(", ")
    );
    let packages = packages_for(&missing).join(" ");
    if places.find("apt-get", &[places.usr.join("bin")]).is_none() {
        return Err(Failure::new(format!(
            "the tests need {}, and this machine has no apt-get to install {packages} with: \
             install them by hand",
            missing.join(", "),
        )));
    }
    let dir = workspace::root().join("target/xtask");
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::new(format!("cannot create {}: {e}", dir.display())))?;
    for (index, run) in runs.iter().enumerate() {
        apt(run, &dir.join(format!("apt-get-{index}.log")))?;
    }
    let still = missing_here(&places, as_root);
    if still.is_empty() {
        println!("servers: installed; every program the tests start is found");
        Ok(())
    } else {
        Err(Failure::new(format!(
            "apt-get installed {packages} but {} still cannot be found",
            still.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory for one test.
    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-servers-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A fake program: an executable shell script.
    fn program(dir: &Path, name: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, "#!/bin/sh\nexit 0\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        path
    }

    #[test]
    fn postgres_is_found_in_a_versioned_directory_off_path() {
        let usr = temp("versioned");
        let places = Places {
            path: Vec::new(),
            usr: usr.clone(),
        };
        assert_eq!(
            places.missing(false),
            vec![
                "redis-server",
                "initdb",
                "postgres",
                "psql",
                "chromium",
                "chromedriver"
            ]
        );
        let bin = usr.join("lib/postgresql/15/bin");
        for name in ["initdb", "postgres", "psql"] {
            program(&bin, name);
        }
        program(&usr.join("bin"), "redis-server");
        assert_eq!(places.missing(false), vec!["chromium", "chromedriver"]);
        program(&usr.join("bin"), "chromium");
        program(&usr.join("bin"), "chromedriver");
        assert_eq!(places.missing(false), Vec::<&str>::new());
        assert_eq!(
            places.find("initdb", &places.postgres_dirs()),
            Some(bin.join("initdb"))
        );
        // As root, runuser is needed too.
        assert_eq!(places.missing(true), vec!["runuser"]);
        program(&usr.join("sbin"), "runuser");
        assert_eq!(places.missing(true), Vec::<&str>::new());
        std::fs::remove_dir_all(&usr).unwrap();
    }

    #[test]
    fn the_highest_version_wins_and_files_that_cannot_run_do_not_count() {
        let usr = temp("highest");
        let places = Places {
            path: Vec::new(),
            usr: usr.clone(),
        };
        program(&usr.join("lib/postgresql/9.6/bin"), "postgres");
        program(&usr.join("lib/postgresql/15/bin"), "postgres");
        std::fs::create_dir_all(usr.join("lib/postgresql/notes")).unwrap();
        assert_eq!(
            places.postgres_dirs(),
            vec![
                usr.join("lib/postgresql/15/bin"),
                usr.join("lib/postgresql/9.6/bin")
            ]
        );
        let plain = usr.join("lib/postgresql/15/bin/initdb");
        std::fs::write(&plain, "not executable").unwrap();
        assert!(places.missing(false).contains(&"initdb"));
        // PATH comes first.
        let on_path = usr.join("elsewhere");
        let path_initdb = program(&on_path, "initdb");
        let places = Places {
            path: vec![on_path],
            usr: usr.clone(),
        };
        assert_eq!(
            places.find("initdb", &places.postgres_dirs()),
            Some(path_initdb)
        );
        std::fs::remove_dir_all(&usr).unwrap();
    }

    #[test]
    fn missing_as_root_installs_and_otherwise_says_what_to_run() {
        assert_eq!(plan(&[], true), Plan::Ready);
        assert_eq!(plan(&[], false), Plan::Ready);
        let Plan::Install(runs) = plan(&["postgres", "initdb"], true) else {
            panic!("root must install");
        };
        let lines: Vec<String> = runs.iter().map(AptRun::line).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with("DEBIAN_FRONTEND=noninteractive apt-get update -y"),
            "{lines:?}"
        );
        assert!(lines[1].starts_with("DEBIAN_FRONTEND=noninteractive apt-get install -y"));
        // Only the package that ships what is missing.
        assert!(
            lines[1].ends_with("--no-install-recommends postgresql"),
            "{lines:?}"
        );
        assert!(lines.iter().all(|l| l.contains("DPkg::Lock::Timeout=300")));
        let Plan::Install(runs) = plan(&["runuser"], true) else {
            panic!("root must install");
        };
        assert!(
            runs[1]
                .line()
                .ends_with("--no-install-recommends util-linux")
        );
        let Plan::Install(runs) = plan(&["chromedriver", "chromium"], true) else {
            panic!("root must install");
        };
        assert!(
            runs[1]
                .line()
                .ends_with("--no-install-recommends chromium chromium-driver"),
            "{:?}",
            runs[1].line()
        );

        let Plan::Refuse(line) = plan(&["redis-server", "psql", "chromedriver"], false) else {
            panic!("only root installs");
        };
        assert!(!line.contains('\n'), "one line: {line}");
        assert!(line.contains("redis-server, psql, chromedriver"), "{line}");
        assert!(
            line.ends_with("sudo apt-get install -y redis-server postgresql chromium-driver"),
            "{line}"
        );
    }

    #[test]
    fn each_missing_thing_maps_to_the_package_that_ships_it_once() {
        assert_eq!(
            packages_for(&["psql", "the postgres user", "initdb", "postgres"]),
            vec!["postgresql"]
        );
        assert_eq!(
            packages_for(&["runuser", "chromedriver", "redis-server", "chromium"]),
            vec!["redis-server", "chromium", "chromium-driver", "util-linux"]
        );
        assert_eq!(packages_for(&[]), Vec::<&str>::new());
        // Every package is reachable from some missing program.
        for package in PACKAGES {
            let program = match package {
                "chromium-driver" => "chromedriver",
                "util-linux" => "runuser",
                "postgresql" => "psql",
                other => other,
            };
            assert_eq!(package_of(program), package);
        }
    }
}
