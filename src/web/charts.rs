//! Horizontal bar charts drawn on the server as SVG: what each campaign or unit has done
//! against its target. Each bar carries its figures as text, so the chart reads without
//! colour, and the whole chart is titled for a screen reader.

use maud::{Markup, html};

/// One bar: a name, what was done, the target (none: the bar alone).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub done: f64,
    pub target: Option<f64>,
}

/// Longest label drawn, in characters (the rest is cut with an ellipsis; the full name is
/// the bar's tooltip).
const LABEL_CHARS: usize = 32;

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// What a legend's key shows: the bars' colour, the target's dark mark, the done line, the
/// pace's dashed line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Bar,
    Target,
    Line,
    Dashed,
}

/// A chart's legend as text beside small keys, so it reads at any width (drawn inside the
/// SVG it shrank with the chart to a few pixels on a phone).
pub fn legend(items: &[(Key, String)]) -> Markup {
    let class = |key: &Key| match key {
        Key::Bar => "key k-bar",
        Key::Target => "key k-target",
        Key::Line => "key k-line",
        Key::Dashed => "key k-dashed",
    };
    html! {
        ul class="legend" {
            @for (key, label) in items {
                li { span class=(class(key)) aria-hidden="true" {} (label) }
            }
        }
    }
}

/// The bars, each against its target marked by a dark line; `id` makes the title's id
/// unique on the page. No bars: no chart (nothing).
pub fn bar_chart(id: &str, title: &str, bars: &[Bar], vietnamese: bool) -> Markup {
    const W: f64 = 600.0;
    const LEFT: f64 = 220.0;
    const RIGHT: f64 = 90.0;
    const TOP: f64 = 8.0;
    const ROW: f64 = 26.0;
    let figure = |v: f64| crate::domain::text::figure(v, vietnamese);
    if bars.is_empty() {
        return html! {};
    }
    let clean = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
    let top = bars
        .iter()
        .map(|b| clean(b.done).max(b.target.map_or(0.0, clean)))
        .fold(1.0, f64::max);
    let span = W - LEFT - RIGHT;
    let x = |v: f64| LEFT + span * clean(v) / top;
    let h = TOP + ROW * bars.len() as f64 + TOP;
    let one = |v: f64| format!("{v:.1}");
    let title_id = format!("{id}-title");
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (W) " " (h) } role="img"
            aria-labelledby=(title_id) {
            title id=(title_id) { (title) }
            @for (i, b) in bars.iter().enumerate() {
                @let y = TOP + ROW * i as f64;
                @let figures = match b.target {
                    Some(t) => format!("{} / {}", figure(clean(b.done)), figure(clean(t))),
                    None => figure(clean(b.done)),
                };
                g {
                    title { (b.label) ": " (figures) }
                    text x=(LEFT - 6.0) y=(one(y + 13.0)) font-size="12" text-anchor="end" {
                        (short(&b.label))
                    }
                    rect x=(LEFT) y=(one(y + 1.0)) width=(span) height="16" fill="#eee" {}
                    rect x=(LEFT) y=(one(y + 1.0)) width=(one(x(b.done) - LEFT)) height="16"
                        fill="#8b0000" {}
                    @if let Some(t) = b.target {
                        line x1=(one(x(t))) y1=(one(y - 2.0)) x2=(one(x(t))) y2=(one(y + 20.0))
                            stroke="#111" stroke-width="3" {}
                    }
                    text x=(one(W - RIGHT + 6.0)) y=(one(y + 13.0)) font-size="12" { (figures) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, done: f64, target: Option<f64>) -> Bar {
        Bar {
            label: label.into(),
            done,
            target,
        }
    }

    #[test]
    fn bars_scale_to_the_largest_figure_and_mark_their_targets() {
        let svg = bar_chart(
            "c",
            "Đợt <1>",
            &[bar("Xuân hồng", 150.0, Some(300.0)), bar("Hè", 300.0, None)],
            false,
        )
        .into_string();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains("<title id=\"c-title\">Đợt &lt;1&gt;</title>"),
            "{svg}"
        );
        // The span is 290 wide: 150 of 300 is half of it, 300 all of it.
        assert!(svg.contains("width=\"145.0\""), "{svg}");
        assert!(svg.contains("width=\"290.0\""), "{svg}");
        // Xuân hồng's target at the right end; Hè has none.
        // One target mark (the legend is text beside the chart now, not drawn in it).
        assert_eq!(svg.matches("stroke-width=\"3\"").count(), 1);
        assert!(svg.contains("x1=\"510.0\""), "{svg}");
        assert!(svg.contains(">150 / 300</text>"), "{svg}");
        assert!(svg.contains(">300</text>"), "{svg}");
        let keys =
            legend(&[(Key::Bar, "done".into()), (Key::Target, "<target>".into())]).into_string();
        assert!(
            keys.contains("k-bar\" aria-hidden=\"true\"></span>done</li>"),
            "{keys}"
        );
        assert!(keys.contains("&lt;target&gt;</li>"), "{keys}");
    }

    #[test]
    fn odd_figures_and_long_names_draw_a_readable_chart() {
        assert_eq!(bar_chart("c", "t", &[], false).into_string(), "");
        let long = "Trường Đại học Y Dược Hải Phòng và các trường cao đẳng";
        let svg = bar_chart(
            "u",
            "t",
            &[
                bar(long, f64::NAN, Some(-5.0)),
                bar("<b>", f64::INFINITY, None),
                bar("x", 12.4, Some(0.0)),
                bar("y", 30_000.0, None),
            ],
            true,
        )
        .into_string();
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        // Cut on the bar, whole in its tooltip.
        assert!(svg.contains(">Trường Đại học Y Dược Hải Phòng…<"), "{svg}");
        assert!(
            svg.contains(&format!("<title>{long}: 0 / 0</title>")),
            "{svg}"
        );
        // Figures as Vietnamese writes them.
        assert!(svg.contains(">12,4 / 0</text>"), "{svg}");
        assert!(svg.contains(">30.000</text>"), "{svg}");
        // The largest figure fills the span.
        assert!(svg.contains("width=\"290.0\""), "{svg}");
    }
}
