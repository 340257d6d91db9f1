//! The real binary run as an operator runs it, with its log read line by line.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use super::{PRESET, Storage};

/// A `servicedesk serve` process on `storage`, logging at `level`.
pub struct LoggedServer {
    process: Child,
    lines: Receiver<String>,
    written: Vec<String>,
    pub port: u16,
}

impl LoggedServer {
    pub fn start(storage: &Storage, level: &str) -> Self {
        let mut process = Command::new(env!("CARGO_BIN_EXE_servicedesk"))
            .arg("serve")
            .env_clear()
            .envs(storage.env(Some(PRESET)))
            .env("SERVICEDESK_LOG", level)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("binary runs");
        let (sender, lines) = std::sync::mpsc::channel();
        let stderr = BufReader::new(process.stderr.take().expect("stderr"));
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = sender.send(without_colours(&line));
            }
        });
        let mut written = Vec::new();
        let port = loop {
            let line = lines
                .recv_timeout(Duration::from_secs(60))
                .expect("the server logs its port");
            let port = line.find("port=").and_then(|at| {
                line[at + 5..]
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|p| p.parse::<u16>().ok())
            });
            written.push(line);
            if let Some(port) = port {
                break port;
            }
        };
        Self {
            process,
            lines,
            written,
            port,
        }
    }

    /// Stops the server and returns every line it wrote.
    pub fn stop(mut self) -> Vec<String> {
        let _ = self.process.kill();
        let _ = self.process.wait();
        self.written.extend(self.lines.iter());
        self.written
    }
}

/// A log line without its ANSI colour sequences (`ESC [ … m`).
fn without_colours(line: &str) -> String {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}
