//! The `mollie-mock` program as the tests run it: started with none of the tests'
//! `MOLLIE_MOCK_*` variables, its URL read from its first line, stopped with SIGTERM.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Lines};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};

/// The program, with none of its variables inherited from the environment of the tests.
pub fn program() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mollie-mock"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("MOLLIE_MOCK_") {
            command.env_remove(name);
        }
    }
    command
}

/// A running program: its URL and the rest of its stdout.
pub struct Running {
    pub child: Child,
    pub url: String,
    pub lines: Lines<BufReader<ChildStdout>>,
}

/// Starts `command` (give it `--addr 127.0.0.1:0` for a free port) and waits for its URL.
pub fn start(command: &mut Command) -> Running {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("the program starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let url = first
        .strip_prefix("mollie-mock listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_owned();
    Running { child, url, lines }
}

impl Running {
    /// The next line it prints.
    pub fn next_line(&mut self) -> String {
        self.lines.next().expect("a line").expect("utf-8")
    }

    /// Sends SIGTERM; the exit status and the lines it printed after its URL.
    pub async fn terminate(mut self) -> (ExitStatus, Vec<String>) {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        tokio::task::spawn_blocking(move || {
            let status = self.child.wait().expect("exits");
            let rest: Vec<String> = self.lines.map_while(Result::ok).collect();
            (status, rest)
        })
        .await
        .expect("joins")
    }

    /// Stops it at once.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
