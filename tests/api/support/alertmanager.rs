//! A real Prometheus Alertmanager on loopback, configured to deliver to the desk with a
//! monitoring token, as docs/monitoring.md tells an operator to.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::Client;
use serde_json::Value;

/// The binary: Debian's package name first, upstream's second. Missing is a failure: the test
/// script installs it.
fn binary() -> &'static str {
    ["prometheus-alertmanager", "alertmanager"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        })
        .expect("Alertmanager is installed (scripts/test.sh installs prometheus-alertmanager)")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// An Alertmanager process; stopped when dropped.
pub struct Alertmanager {
    process: Child,
    base: String,
    client: Client,
    _dir: tempfile::TempDir,
}

impl Alertmanager {
    /// Starts one delivering every group to `desk_url` with `token`: each service its own
    /// group, sent a second after it changes and sent again every two seconds while it fires.
    pub async fn start(desk_url: &str, token: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = format!(
            "route:\n  receiver: desk\n  group_by: ['service']\n  group_wait: 1s\n  \
             group_interval: 1s\n  repeat_interval: 2s\n\
             receivers:\n- name: desk\n  webhook_configs:\n  - url: {desk_url}/api/v1/alerts/alertmanager\n    \
             send_resolved: true\n    http_config:\n      authorization:\n        type: Bearer\n        \
             credentials: {token}\n"
        );
        let config_path = dir.path().join("alertmanager.yml");
        std::fs::write(&config_path, config).expect("config written");
        let port = free_port();
        let process = Command::new(binary())
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            // No cluster: a lone Alertmanager must not wait for peers before it notifies.
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Alertmanager starts");
        let manager = Self {
            process,
            base: format!("http://127.0.0.1:{port}"),
            client: Client::new(),
            _dir: dir,
        };
        for _ in 0..300 {
            let ready = manager
                .client
                .get(format!("{}/-/ready", manager.base))
                .send()
                .await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return manager;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("Alertmanager did not become ready within 30 s");
    }

    /// Pushes alerts through Alertmanager's own API, as Prometheus does.
    pub async fn push(&self, alerts: &Value) {
        let response = self
            .client
            .post(format!("{}/api/v2/alerts", self.base))
            .json(alerts)
            .send()
            .await
            .expect("Alertmanager answers");
        assert!(
            response.status().is_success(),
            "{:?}",
            response.text().await
        );
    }

    /// How many webhook deliveries Alertmanager has made so far, successful or not.
    pub async fn deliveries(&self) -> u64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text");
        text.lines()
            .filter(|line| {
                line.starts_with("alertmanager_notifications_total{")
                    && line.contains("integration=\"webhook\"")
            })
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>() as u64
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
