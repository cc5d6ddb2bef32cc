//! A private PostgreSQL cluster for tests: `initdb` + `pg_ctl` (Debian's `postgresql` package)
//! into a temp dir, on a free loopback port, as the `postgres` user when running as root (the
//! server refuses to run as root). The [`Cluster`] guard stops it and removes the dir on drop,
//! also when a step of starting it failed.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

/// Where Debian puts the server binaries: `/usr/lib/postgresql/<major>/bin`.
const LIB: &str = "/usr/lib/postgresql";

/// The newest `/usr/lib/postgresql/*/bin` that has `initdb`, if any.
pub fn bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<(u32, PathBuf)> = fs::read_dir(LIB)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((major, bin))
        })
        .collect();
    dirs.sort();
    dirs.pop().map(|(_, bin)| bin)
}

/// A running private cluster; stopped and deleted on drop.
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    /// `postgres://asm@127.0.0.1:<port>/postgres` (user `asm`, trust authentication).
    pub url: String,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .is_some_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

impl Cluster {
    /// Runs `program args…` (as `postgres` when we are root), quietly; the error carries its output.
    fn run(&self, program: &Path, args: &[&str]) -> Result<(), String> {
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        let out = cmd
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} {} failed ({}): {}{}",
                program.display(),
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.join("d")
    }

    /// Starts a new cluster; on any failure what was made is stopped and removed.
    pub fn start() -> Result<Cluster, String> {
        let bin = bin_dir().ok_or_else(|| {
            format!("PostgreSQL is not installed (no {LIB}/*/bin/initdb): run `cargo xtask setup`")
        })?;
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("asm-pg-{}-{stamp}", std::process::id()));
        fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let as_postgres = is_root();
        // From here on the guard cleans up, whatever fails.
        let mut cluster = Cluster {
            dir,
            bin,
            as_postgres,
            url: String::new(),
        };
        if as_postgres {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&cluster.dir)
                .status()
                .map_err(|e| format!("cannot run chown: {e}"))?;
            if !status.success() {
                return Err(format!(
                    "chown postgres {} failed (is there a `postgres` user?)",
                    cluster.dir.display()
                ));
            }
        }
        let data = cluster.data();
        let data_s = data.display().to_string();
        cluster.run(
            &cluster.bin.join("initdb"),
            &[
                "-D",
                &data_s,
                "-A",
                "trust",
                "-U",
                "asm",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        let port = free_port()?;
        // A throwaway cluster: durability off for speed, room for the test pools.
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            cluster.dir.display()
        );
        let log = cluster.dir.join("log").display().to_string();
        if let Err(e) = cluster.run(
            &cluster.bin.join("pg_ctl"),
            &["-D", &data_s, "-o", &options, "-l", &log, "-w", "start"],
        ) {
            let tail = fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("{e}\nserver log:\n{tail}"));
        }
        cluster.url = format!("postgres://asm@127.0.0.1:{port}/postgres");
        Ok(cluster)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.data().join("postmaster.pid").exists() {
            let data = self.data().display().to_string();
            if let Err(e) = self.run(
                &self.bin.join("pg_ctl"),
                &["-D", &data, "-m", "fast", "-w", "stop"],
            ) {
                eprintln!("xtask: stopping the test PostgreSQL failed: {e}");
            }
        }
        if let Err(e) = fs::remove_dir_all(&self.dir) {
            eprintln!("xtask: cannot remove {}: {e}", self.dir.display());
        }
    }
}

/// Set by the signal handler of [`wait_for_interrupt`].
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_signal(_: i32) {
    INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
}

extern "C" {
    fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
}

/// From now on SIGINT (Ctrl-C) and SIGTERM only set [`interrupted`], so that the caller can stop
/// and its guards run.
pub fn catch_interrupts() {
    const SIGINT: i32 = 2;
    const SIGTERM: i32 = 15;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
    }
}

/// Whether SIGINT or SIGTERM came since [`catch_interrupts`].
pub fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// Blocks until SIGINT (Ctrl-C) or SIGTERM, so that the caller's guards run.
pub fn wait_for_interrupt() {
    catch_interrupts();
    while !interrupted() {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}
