//! A small WebDriver (W3C) client over reqwest, driving Debian's headless Chromium through
//! chromedriver for the dashboard's browser tests. (fantoccini would do this, but its rustls
//! feature brings a second crypto provider, aws-lc, built from C; the project keeps one TLS
//! stack.) Nothing here touches the network but 127.0.0.1.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Where chromedriver and Chromium are (`HIENMAU_CHROMEDRIVER`, `HIENMAU_CHROMIUM` to
/// override); `None` when either is missing.
pub fn available() -> Option<(PathBuf, PathBuf)> {
    let driver = std::env::var_os("HIENMAU_CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"));
    let chromium = std::env::var_os("HIENMAU_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    (driver.exists() && chromium.exists()).then_some((driver, chromium))
}

/// Said once per test run when the browser tests cannot run: one line, written straight to
/// the terminal past the test harness's capture, so a skip is never silent.
pub fn say_skipped() {
    use std::io::Write;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED the dashboard's browser tests (tests/browser): no Chromium here. Install \
             Debian's chromium and chromium-driver (apt-get install chromium chromium-driver), \
             then run cargo test again."
        );
    });
}

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start(driver: &Path, chromium: &Path) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "chromedriver never answered"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-extensions",
                    "--window-size=1000,1400", "--lang=vi",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }}});
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_string();
        Browser {
            driver: child,
            base,
            session,
            http,
            _profile: profile,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r: Value = req.send().await.unwrap().json().await.unwrap();
        r["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let v = self.call(reqwest::Method::POST, path, Some(body)).await;
        if let Some(e) = v.get("error") {
            panic!("WebDriver {path}: {e} {}", v["message"]);
        }
        v
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The element matching `css` (waits up to 5 s for it to appear).
    async fn find(&self, css: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let v = self
                .call(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            if let Some(id) = v
                .as_object()
                .and_then(|o| o.values().next())
                .and_then(Value::as_str)
                && v.get("error").is_none()
            {
                return id.to_string();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no element {css}: {v}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.post(&format!("/element/{e}/click"), json!({})).await;
    }

    /// Clicks what leads to another page (a link, a form's button) and waits until the new
    /// page has loaded: the old document is marked first, so its leftovers are not read.
    pub async fn open(&self, css: &str) {
        self.script("window.__hm_old = true; return 1;", json!([]))
            .await;
        self.click(css).await;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let v = self
                .script(
                    "return window.__hm_old === undefined && document.readyState === 'complete';",
                    json!([]),
                )
                .await;
            if v == Value::Bool(true) {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "{css} led nowhere");
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }

    async fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// Types `text` into the field (after clearing it).
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.post(&format!("/element/{e}/clear"), json!({})).await;
        self.post(&format!("/element/{e}/value"), json!({ "text": text }))
            .await;
    }

    /// Chooses a file in a file input, as picking it in the dialog would.
    pub async fn choose_file(&self, css: &str, path: &std::path::Path) {
        let e = self.find(css).await;
        self.post(
            &format!("/element/{e}/value"),
            json!({ "text": path.display().to_string() }),
        )
        .await;
    }

    /// Sets a field's value as the page's own control would (date and time inputs, selects).
    pub async fn set(&self, css: &str, value: &str) {
        self.post(
            "/execute/sync",
            json!({
                "script": "var e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                           e.dispatchEvent(new Event('change')); return e.value;",
                "args": [css, value]
            }),
        )
        .await;
    }

    pub async fn text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{e}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The page's PNG, saved as `name`.png in `dir`.
    /// The window's size in CSS pixels (headless: the viewport's).
    pub async fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await;
    }

    /// How wide the page is, and how wide its viewport: wider means it scrolls sideways.
    pub async fn widths(&self) -> (i64, i64) {
        let v = self
            .script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
                json!([]),
            )
            .await;
        (
            v[0].as_i64().unwrap_or_default(),
            v[1].as_i64().unwrap_or_default(),
        )
    }

    pub async fn screenshot(&self, dir: &Path, name: &str) {
        use base64::Engine;
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .unwrap();
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// The browser console's errors since the last call (CSP refusals, script errors, 4xx
    /// loads of the page's parts).
    pub async fn console_errors(&self) -> Vec<String> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/se/log",
                Some(json!({"type": "browser"})),
            )
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub async fn quit(self) {
        let _ = self.call(reqwest::Method::DELETE, "", None).await;
    }
}

impl Drop for Browser {
    /// Also when a test fails half-way: Chromium is ended with its session (a plain
    /// `DELETE` over a socket, as no runtime may be left here), then anything still running
    /// with this test's profile, so no browser outlives its test.
    fn drop(&mut self) {
        use std::io::{Read, Write};
        if let Ok(mut s) = std::net::TcpStream::connect(self.base.trim_start_matches("http://")) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = write!(
                s,
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                self.session
            );
            let _ = s.read_to_end(&mut Vec::new());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = Command::new("pkill")
            .args(["-KILL", "-f"])
            .arg(self._profile.path())
            .status();
    }
}
