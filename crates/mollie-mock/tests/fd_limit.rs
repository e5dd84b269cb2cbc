//! The case of the slow-client issue, end to end: the `mollie-mock` binary, started under a
//! limit of 1 024 file descriptors (`ulimit -n 1024`), held by 1 050 connections that are
//! idle or trickle their head a byte at a time, still answers its health check within a
//! second, stays up, and serves normally once they let go.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle as ThreadHandle;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout};

/// The mock's file-descriptor limit, as in the issue.
const MOCK_FD_LIMIT: u64 = 1024;
/// Connections that never send a byte.
const IDLE: usize = 700;
/// Connections that send a request head, a byte every [`TRICKLE_EVERY`], and never end it.
const TRICKLING: usize = 350;
const TRICKLE_EVERY: Duration = Duration::from_millis(300);
/// The file descriptors this test process needs: the attackers, the checks, and some spare.
const OWN_FDS_NEEDED: u64 = (IDLE + TRICKLING) as u64 + 200;
/// How many health checks must each answer within [`HEALTH_DEADLINE`] under the attack.
const HEALTH_CHECKS: usize = 5;
const HEALTH_DEADLINE: Duration = Duration::from_secs(1);
/// How far apart the health checks start: they span a couple of seconds of the attack.
const HEALTH_EVERY: Duration = Duration::from_millis(500);

/// The soft and hard limits of open files of process `pid` (`self` for this one); `None`
/// for unlimited.
fn nofile_limits(pid: &str) -> (Option<u64>, Option<u64>) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("/proc limits");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("a line for open files");
    let mut values = line["Max open files".len()..]
        .split_whitespace()
        .map(|v| v.parse::<u64>().ok());
    let soft = values.next().expect("a soft limit");
    let hard = values.next().expect("a hard limit");
    (soft, hard)
}

/// Makes sure this process may open [`OWN_FDS_NEEDED`] files, raising its soft limit (up to
/// the hard one) with `prlimit` if need be, which needs no `unsafe`. `Err` says why not, when
/// the hard limit is too low.
fn ensure_own_fd_limit() -> Result<(), String> {
    let (soft, hard) = nofile_limits("self");
    if soft.is_none_or(|s| s >= OWN_FDS_NEEDED) {
        return Ok(());
    }
    if hard.is_some_and(|h| h < OWN_FDS_NEEDED) {
        return Err(format!(
            "this test needs {OWN_FDS_NEEDED} file descriptors, and the hard limit is {hard:?}"
        ));
    }
    let target = hard.map_or(8192, |h| h.min(8192));
    let raised = Command::new("prlimit")
        .arg("--pid")
        .arg(std::process::id().to_string())
        .arg(format!("--nofile={target}:"))
        .status();
    let (soft_now, _) = nofile_limits("self");
    assert!(
        soft_now.is_none_or(|s| s >= OWN_FDS_NEEDED),
        "could not raise this process's soft limit of open files from {soft:?} to {target} \
         (hard {hard:?}) with prlimit ({raised:?}); run with `ulimit -n {OWN_FDS_NEEDED}`"
    );
    Ok(())
}

/// How many connections wait, unaccepted, in the accept queue of the socket listening on
/// `addr` (an IPv4 address), from `/proc/net/tcp`.
fn accept_queue(addr: SocketAddr) -> Option<usize> {
    let SocketAddr::V4(v4) = addr else {
        return None;
    };
    let local = format!(
        "{:08X}:{:04X}",
        u32::from_le_bytes(v4.ip().octets()),
        v4.port()
    );
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // `0A`: LISTEN, whose `rx_queue` is the accept queue.
        if fields.get(1) != Some(&local.as_str()) || fields.get(3) != Some(&"0A") {
            return None;
        }
        let (_, rx) = fields.get(4)?.split_once(':')?;
        usize::from_str_radix(rx, 16).ok()
    })
}

/// How many files process `pid` has open.
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

/// The binary, started through `sh` with `ulimit -n 1024`, on a free port.
struct Mock {
    child: Child,
    addr: SocketAddr,
    /// What the binary prints after its URL, read until it exits (so that its writes never
    /// fail on a closed pipe).
    rest: Option<ThreadHandle<Vec<String>>>,
}

impl Mock {
    fn start() -> Self {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!(r#"ulimit -n {MOCK_FD_LIMIT} && exec "$0" "$@""#))
            .arg(env!("CARGO_BIN_EXE_mollie-mock"))
            .args(["--addr", "127.0.0.1:0"]);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("MOLLIE_MOCK_") {
                command.env_remove(name);
            }
        }
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .expect("sh starts the program");
        let stdout = child.stdout.take().expect("stdout");
        let (first_tx, first_rx) = mpsc::channel();
        let rest = std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = first_tx.send(lines.next());
            lines.map_while(Result::ok).collect()
        });
        let first = match first_rx.recv_timeout(Duration::from_secs(20)) {
            Ok(Some(Ok(line))) => line,
            other => {
                let _ = child.kill();
                panic!("the program printed no URL: {other:?}");
            }
        };
        let url = first
            .strip_prefix("mollie-mock listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        let addr = url.parse().expect("HOST:PORT");
        Self {
            child,
            addr,
            rest: Some(rest),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGTERM and waits (at most `limit`) for the exit; whether it exited with
    /// success, and what it printed after its URL.
    async fn terminate(mut self, limit: Duration) -> (bool, Vec<String>) {
        let killed = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("waits") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the program did not stop within {limit:?} of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let rest = self.rest.take().expect("the reader").join().expect("joins");
        (status.success(), rest)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        // Only when the test failed before `terminate`.
        if self.rest.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What the attackers see.
#[derive(Default)]
struct Stats {
    /// Attackers that have connected (once or more).
    started: AtomicUsize,
    /// Connections open now (connected, whether or not the mock accepted them yet).
    open: AtomicUsize,
    /// Connections the mock closed (each then opened again).
    closed_by_mock: AtomicUsize,
    /// Connection attempts that failed.
    failed: AtomicUsize,
}

/// Resolves once `stop` says so (or its sender is gone).
async fn stop_signal(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// One attacker: keeps a connection open, idle (`trickle` `None`) or sending a request head a
/// byte at a time that never ends, and opens a new one whenever the mock closes it, until
/// `stop`. It connects while it holds a permit of `connecting`: so many connections at once
/// overflow the listener's queues, and the kernel then drops SYNs (retried a second later)
/// or completes connections on the client's side only.
async fn attacker(
    addr: SocketAddr,
    trickle: Option<Duration>,
    first_byte_at: Instant,
    connecting: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
    stats: Arc<Stats>,
) {
    let head = b"GET /__mock/health HTTP/1.1\r\nHost: mock\r\nX-Slow: ";
    let mut first = true;
    loop {
        let connect = async {
            let _permit = connecting.acquire().await;
            TcpStream::connect(addr).await
        };
        let connected = tokio::select! {
            connected = connect => connected,
            () = stop_signal(&mut stop) => return,
        };
        let Ok(mut stream) = connected else {
            stats.failed.fetch_add(1, Ordering::Relaxed);
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(50)) => continue,
                () = stop_signal(&mut stop) => return,
            }
        };
        stats.open.fetch_add(1, Ordering::Relaxed);
        if std::mem::take(&mut first) {
            stats.started.fetch_add(1, Ordering::Relaxed);
        }
        let mut bytes = head.iter().copied().chain(std::iter::repeat(b'a'));
        let period = trickle.unwrap_or(Duration::from_secs(3600));
        let mut tick = tokio::time::interval_at(first_byte_at.max(Instant::now()), period);
        let mut chunk = [0u8; 512];
        let stopped = loop {
            tokio::select! {
                read = stream.read(&mut chunk) => match read {
                    Ok(0) | Err(_) => break false,
                    Ok(_) => {}
                },
                _ = tick.tick(), if trickle.is_some() => {
                    let byte = bytes.next().unwrap_or(b'a');
                    if stream.write_all(&[byte]).await.is_err() {
                        break false;
                    }
                }
                () = stop_signal(&mut stop) => break true,
            }
        };
        stats.open.fetch_sub(1, Ordering::Relaxed);
        drop(stream);
        if stopped {
            return;
        }
        stats.closed_by_mock.fetch_add(1, Ordering::Relaxed);
        // Back at once, nearly: a pause keeps the test's own tasks from spinning.
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(20)) => {}
            () = stop_signal(&mut stop) => return,
        }
    }
}

/// `GET /__mock/health` on a new connection, with `Connection: close`: the status line and
/// the body.
async fn health(addr: SocketAddr) -> std::io::Result<(String, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(b"GET /__mock/health HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n")
        .await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.lines().next().unwrap_or_default().to_owned();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// Asserts that a health check answers, within [`HEALTH_DEADLINE`], that the mock is ok; how
/// long it took. `state` describes the mock, for a check that gets no answer.
async fn assert_healthy(addr: SocketAddr, what: &str, state: impl Fn() -> String) -> Duration {
    let started = Instant::now();
    let answer = timeout(HEALTH_DEADLINE, health(addr)).await;
    let took = started.elapsed();
    let (status, body) = answer
        .unwrap_or_else(|_| {
            panic!(
                "{what}: no health answer within {HEALTH_DEADLINE:?} ({})",
                state()
            )
        })
        .unwrap_or_else(|e| panic!("{what}: the health check failed after {took:?}: {e}"));
    assert_eq!(status, "HTTP/1.1 200 OK", "{what}: {body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("a JSON health answer");
    assert_eq!(body["status"], "ok", "{what}: {body}");
    took
}

/// Waits (at most until `deadline`) for `done`, checking every 20 ms.
async fn poll_until(deadline: Instant, mut done: impl FnMut() -> bool) -> bool {
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_ulimit_1024_the_health_check_answers_through_1050_slow_connections() {
    if let Err(reason) = ensure_own_fd_limit() {
        println!("SKIPPED: {reason}");
        return;
    }
    let started = Instant::now();
    let mut mock = Mock::start();
    let addr = mock.addr;
    let (soft, hard) = nofile_limits(&mock.pid().to_string());
    assert_eq!(
        (soft, hard),
        (Some(MOCK_FD_LIMIT), Some(MOCK_FD_LIMIT)),
        "the program runs under ulimit -n {MOCK_FD_LIMIT}"
    );
    let baseline_fds = open_fds(mock.pid());
    assert!(baseline_fds > 0, "the program's open files are readable");
    // The mock answers before the attack.
    assert_healthy(addr, "before the attack", String::new).await;

    // The attack: 1 050 connections, idle or trickling, each opened again when closed.
    let stats = Arc::new(Stats::default());
    let (stop, stopped) = watch::channel(false);
    let connecting = Arc::new(Semaphore::new(32));
    let first_bytes = Instant::now();
    let attackers: Vec<JoinHandle<()>> = (0..IDLE + TRICKLING)
        .map(|i| {
            let trickle = (i >= IDLE).then_some(TRICKLE_EVERY);
            // The trickling connections send their bytes spread over the period.
            let offset = TRICKLE_EVERY.mul_f64((i % TRICKLING) as f64 / TRICKLING as f64);
            tokio::spawn(attacker(
                addr,
                trickle,
                first_bytes + offset,
                connecting.clone(),
                stopped.clone(),
                stats.clone(),
            ))
        })
        .collect();
    let all_started = poll_until(Instant::now() + Duration::from_secs(10), || {
        stats.started.load(Ordering::Relaxed) == IDLE + TRICKLING
    })
    .await;
    assert!(
        all_started,
        "{} of {} attackers connected ({} attempts failed)",
        stats.started.load(Ordering::Relaxed),
        IDLE + TRICKLING,
        stats.failed.load(Ordering::Relaxed)
    );
    let attack_open_after = first_bytes.elapsed();
    // The mock takes connections until it is at its limit (`--max-connections`, 1 000 by
    // default), near its file-descriptor limit.
    let pid = mock.pid();
    let mut peak_fds = 0;
    let loaded = poll_until(Instant::now() + Duration::from_secs(5), || {
        peak_fds = peak_fds.max(open_fds(pid));
        peak_fds as u64 >= MOCK_FD_LIMIT - 64
    })
    .await;
    assert!(
        loaded,
        "the attack should hold nearly all of the program's {MOCK_FD_LIMIT} file descriptors; \
         it has {peak_fds} open (of which {baseline_fds} before the attack)"
    );

    // While they are held, every health check answers within a second.
    let mut took = Vec::new();
    let mut queued = 0;
    let mut pace = tokio::time::interval(HEALTH_EVERY);
    for check in 1..=HEALTH_CHECKS {
        pace.tick().await;
        let what = format!("health check {check} under the attack");
        let state = || {
            format!(
                "the program has {} of its {MOCK_FD_LIMIT} files open, and {:?} connections \
                 wait, unaccepted, in its listen queue",
                open_fds(pid),
                accept_queue(addr)
            )
        };
        took.push(assert_healthy(addr, &what, state).await);
        assert!(mock.is_running(), "the program is still running");
        let fds = open_fds(pid);
        assert!(
            fds as u64 >= MOCK_FD_LIMIT - 64,
            "the attack still holds nearly all of the program's file descriptors: {fds} open"
        );
        peak_fds = peak_fds.max(fds);
        queued = queued.max(accept_queue(addr).unwrap_or(0));
    }
    let still_open = stats.open.load(Ordering::Relaxed);
    let closed_by_mock = stats.closed_by_mock.load(Ordering::Relaxed);

    // The attackers let go: the mock serves normally, and its connections are closed.
    stop.send(true).expect("the attackers listen");
    for attacker in attackers {
        attacker.await.expect("an attacker ran");
    }
    let released = Instant::now();
    let mut after = None;
    while after.is_none() && released.elapsed() < Duration::from_secs(5) {
        if let Ok(Ok((status, _))) = timeout(HEALTH_DEADLINE, health(addr)).await
            && status == "HTTP/1.1 200 OK"
        {
            after = Some(released.elapsed());
        } else {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let after = after.expect("the program answers again once the attackers are gone");
    assert_healthy(addr, "after the attack", String::new).await;
    let client = reqwest::Client::new();
    let created = client
        .post(format!("http://{addr}/v2/customers"))
        .bearer_auth("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")
        .header("content-type", "application/json")
        .body(r#"{"name": "After the attack"}"#)
        .send()
        .await
        .expect("served");
    assert_eq!(created.status(), 201);
    let customer: serde_json::Value =
        serde_json::from_slice(&created.bytes().await.expect("a body")).expect("JSON");
    let id = customer["id"].as_str().expect("an id");
    let fetched = client
        .get(format!("http://{addr}/v2/customers/{id}"))
        .bearer_auth("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")
        .send()
        .await
        .expect("served");
    assert_eq!(fetched.status(), 200);
    drop(client);
    let settled = poll_until(Instant::now() + Duration::from_secs(5), || {
        open_fds(pid) <= baseline_fds + 2
    })
    .await;
    assert!(
        settled,
        "the program's connections are closed once the attackers are gone: {} files open, \
         {baseline_fds} before the attack",
        open_fds(pid)
    );

    assert!(mock.is_running(), "the program is still running");
    let (success, rest) = mock.terminate(Duration::from_secs(10)).await;
    assert!(success, "the program exits with success on SIGTERM");
    assert_eq!(rest, ["mollie-mock shutting down"]);
    println!(
        "{IDLE} idle + {TRICKLING} trickling attackers connected after \
         {attack_open_after:?}; program: {baseline_fds} files open before, at most {peak_fds} \
         during, at most {queued} waiting in the accept queue at a check; health checks took \
         {took:?}; {still_open} attacker connections open at the \
         end, {closed_by_mock} closed by the program; answered {after:?} after the attackers \
         let go; {:?} in all",
        started.elapsed()
    );
}
