//! How the files a committee uploads are read: a calendar as CSV and as TOML, a blood centre's
//! donations CSV, each at N and 4N lines. Reading is linear when 4N takes about 4 × N (the
//! reference printed beside each ratio); it was quadratic (each record's line counted from
//! the start of the file), 20,000 calendar lines taking 40 s.
//!
//! ```sh
//! cargo bench --bench uploads                # N = 25,000 lines
//! LINES=500 cargo bench --bench uploads      # CI's smoke size
//! ```

use chrono::NaiveDate;
use hienmau::domain::campaign::{parse_calendar, parse_calendar_csv};
use hienmau::domain::donation::parse_donations;
use std::time::Instant;

fn calendar_csv(n: usize) -> String {
    let mut s = String::from("name,from,to,target_units,note\n");
    for i in 0..n {
        s.push_str(&format!(
            "Đợt hiến máu số {i},{:02}-01,{:02}-28,300,Ngày hội hiến máu của phường {i}\n",
            1 + i % 12,
            1 + i % 12
        ));
    }
    s
}

fn calendar_toml(n: usize) -> String {
    let mut s = String::from(
        "[[campaign]]\nname = \"Những giọt máu hồng hè\"\nfrom = \"01-01\"\nto = \"12-31\"\n\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "[[campaign.drive]]\nplace = \"Nhà văn hoá số {i}\"\nprovince = \"Hải Phòng\"\n\
             date = \"{:02}-{:02}\"\ntime = \"07:30-11:30\"\ncapacity = 100\n\n",
            1 + i % 12,
            1 + i % 28
        ));
    }
    s
}

fn donations_csv(n: usize) -> String {
    let mut s = String::from("phone,date,kind,volume\n");
    for i in 0..n {
        s.push_str(&format!(
            "09{:08},{:02}/{:02}/2026,máu toàn phần,350\n",
            10_000_000 + i,
            1 + i % 28,
            1 + i % 11
        ));
    }
    s
}

/// Seconds to read `text` (the best of three).
fn time(text: &str, read: impl Fn(&str) -> usize) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            let n = read(text);
            assert!(n > 0);
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let n: usize = std::env::var("LINES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(25_000);
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
    println!(
        "{:<18} {:>9} {:>8} {:>10} {:>10} {:>8} {:>9}",
        "file", "lines", "MB", "s (N)", "s (4N)", "s/MB", "4N/N (4)"
    );
    type Case = (
        &'static str,
        fn(usize) -> String,
        Box<dyn Fn(&str) -> usize>,
    );
    let cases: [Case; 3] = [
        (
            "calendar CSV",
            calendar_csv,
            Box::new(|t| parse_calendar_csv(t, 2026).map(|c| c.len()).unwrap()),
        ),
        (
            "calendar TOML",
            calendar_toml,
            Box::new(|t| {
                parse_calendar(t, 2026)
                    .map(|c| c.iter().map(|c| c.drives.len()).sum())
                    .unwrap()
            }),
        ),
        (
            "donations CSV",
            donations_csv,
            Box::new(move |t| parse_donations(t, today).map(|l| l.len()).unwrap()),
        ),
    ];
    for (name, make, read) in &cases {
        let small = make(n);
        let large = make(4 * n);
        let (a, b) = (time(&small, read), time(&large, read));
        let mb = large.len() as f64 / 1_000_000.0;
        println!(
            "{name:<18} {:>9} {mb:>8.2} {a:>10.3} {b:>10.3} {:>8.3} {:>9.2}",
            4 * n,
            b / mb,
            b / a
        );
    }
}
