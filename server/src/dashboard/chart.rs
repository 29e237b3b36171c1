//! Bar charts drawn on the server as SVG, each with a data table holding the same numbers.
//!
//! The charts need no JavaScript and no inline styles, so they work under a Content Security
//! Policy without `'unsafe-inline'`: colours and sizes are SVG presentation attributes, and
//! classes leave room for a stylesheet. Each chart is an image labelled by its `<title>` and
//! `<desc>`; screen readers get the numbers, and everyone can copy them, from the table beside
//! it. Bars carry their own `<title>` for pointer users.
//!
//! Every text passes through maud, which escapes it: labels include partner ids, which come
//! from partner pages and so from outside the charity.
//!
//! The output depends only on the input, to the character, so it can be cached and compared.

use maud::{html, Markup};
use pledge::Currency;

/// Bar colours, each with at least 3:1 contrast against white (WCAG's minimum for graphics),
/// and distinguishable from each other without relying on red against green alone.
pub const PALETTE: [&str; 3] = ["#1d4f91", "#b34700", "#2b7a3d"];
const TEXT_COLOUR: &str = "#1a1a1a";
const AXIS_COLOUR: &str = "#595959";
const GRID_COLOUR: &str = "#d9d9d9";

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 64.0;
/// More category labels than this would overlap; the table has them all.
const MAX_X_LABELS: usize = 6;
const Y_TICKS: i64 = 4;

/// What the values count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Pledges,
    /// Minor units of one currency.
    Money(Currency),
}

impl Unit {
    pub fn format(self, value: i64) -> String {
        match self {
            Unit::Pledges => value.to_string(),
            Unit::Money(currency) => format_minor(value, currency),
        }
    }

    fn header_suffix(self) -> String {
        match self {
            Unit::Pledges => String::new(),
            Unit::Money(currency) => format!(" ({})", currency.code()),
        }
    }

    fn value_suffix(self) -> String {
        match self {
            Unit::Pledges => String::new(),
            Unit::Money(currency) => format!(" {}", currency.code()),
        }
    }
}

/// Minor units as a decimal in the currency's own exponent: `2550` GBP → `25.50`,
/// `15000` XOF → `15000`.
pub fn format_minor(value: i64, currency: Currency) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let magnitude = value.unsigned_abs();
    match currency.exponent() {
        0 => format!("{sign}{magnitude}"),
        exponent => {
            let scale = 10u64.pow(exponent);
            let width = exponent as usize;
            format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale)
        }
    }
}

/// One group of bars along the horizontal axis, one value per series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub label: String,
    pub values: Vec<i64>,
}

/// A bar chart with one or more series side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarChart {
    /// Unique on the page; only letters, digits and hyphens are kept.
    pub id: String,
    pub title: String,
    /// The chart's gist in a sentence, for people who cannot see it.
    pub description: String,
    pub x_label: String,
    pub y_label: String,
    pub unit: Unit,
    pub series: Vec<String>,
    pub categories: Vec<Category>,
}

/// A table's content, rendered as HTML by [`DataTable::render`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataTable {
    pub caption: String,
    pub headers: Vec<String>,
    /// The first cell of each row heads it.
    pub rows: Vec<Vec<String>>,
}

impl DataTable {
    pub fn render(&self) -> Markup {
        html! {
            table class="chart-table" {
                caption { (self.caption) }
                thead { tr { @for header in &self.headers { th scope="col" { (header) } } } }
                tbody {
                    @for row in &self.rows {
                        tr {
                            @for (index, cell) in row.iter().enumerate() {
                                @if index == 0 { th scope="row" { (cell) } } @else { td { (cell) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

impl BarChart {
    /// The chart and its table, together in a `<figure>`.
    pub fn render(&self) -> Markup {
        html! {
            figure class="chart-figure" {
                figcaption class="chart-caption" { (self.title) }
                (self.svg())
                // Closed at first so that the page stays short; the table is in the page all
                // the same, for screen readers to open and for copying.
                details class="chart-details" {
                    summary { "The figures as a table" }
                    (self.data_table().render())
                }
            }
        }
    }

    /// The numbers behind the chart: a row per category, a column per series.
    pub fn data_table(&self) -> DataTable {
        let suffix = self.unit.header_suffix();
        let headers = std::iter::once(self.x_label.clone())
            .chain(self.series.iter().map(|series| format!("{series}{suffix}")))
            .collect();
        let rows = self
            .categories
            .iter()
            .map(|category| {
                std::iter::once(category.label.clone())
                    .chain(
                        self.series
                            .iter()
                            .enumerate()
                            .map(|(index, _)| self.unit.format(category.values.get(index).copied().unwrap_or(0))),
                    )
                    .collect()
            })
            .collect();
        DataTable { caption: self.title.clone(), headers, rows }
    }

    pub fn svg(&self) -> Markup {
        let id = safe_id(&self.id);
        let title_id = format!("{id}-title");
        let desc_id = format!("{id}-desc");
        let plot_width = WIDTH - LEFT - RIGHT;
        let plot_height = HEIGHT - TOP - BOTTOM;
        let baseline = TOP + plot_height;

        let largest = self.categories.iter().flat_map(|category| category.values.iter().copied()).max().unwrap_or(0);
        let step = axis_step(largest);
        let axis_max = step.saturating_mul(Y_TICKS);
        // Negative values cannot occur in pledges; drawn at zero rather than below the axis.
        let y = |value: i64| baseline - plot_height * (value.clamp(0, axis_max) as f64 / axis_max as f64);
        let ticks: Vec<i64> = (0..=Y_TICKS).map(|tick| step.saturating_mul(tick)).collect();

        let band = plot_width / self.categories.len().max(1) as f64;
        let series_count = self.series.len().max(1);
        let bar_width = band * 0.8 / series_count as f64;
        let label_every = self.categories.len().div_ceil(MAX_X_LABELS).max(1);
        let suffix = self.unit.value_suffix();

        html! {
            svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"
                aria-labelledby=(format!("{title_id} {desc_id}"))
                viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) width=(WIDTH) height=(HEIGHT)
                font-family="sans-serif" font-size="12" fill=(TEXT_COLOUR) {
                title id=(title_id) { (self.title) }
                desc id=(desc_id) { (self.description) }
                g class="chart-grid" stroke=(GRID_COLOUR) {
                    @for tick in &ticks[1..] {
                        line x1=(coordinate(LEFT)) x2=(coordinate(WIDTH - RIGHT))
                            y1=(coordinate(y(*tick))) y2=(coordinate(y(*tick))) {}
                    }
                }
                g class="chart-y-ticks" text-anchor="end" {
                    @for tick in &ticks {
                        text x=(coordinate(LEFT - 6.0)) y=(coordinate(y(*tick) + 4.0)) { (self.unit.format(*tick)) }
                    }
                }
                g class="chart-bars" {
                    @for (category_index, category) in self.categories.iter().enumerate() {
                        @for (series_index, series) in self.series.iter().enumerate() {
                            @let value = category.values.get(series_index).copied().unwrap_or(0);
                            @let x = LEFT + band * category_index as f64 + band * 0.1 + bar_width * series_index as f64;
                            rect class=(format!("chart-bar chart-series-{series_index}"))
                                x=(coordinate(x)) y=(coordinate(y(value)))
                                width=(coordinate(bar_width)) height=(coordinate(baseline - y(value)))
                                fill=(PALETTE[series_index % PALETTE.len()]) {
                                title { (category.label) ", " (series) ": " (self.unit.format(value)) (suffix) }
                            }
                        }
                    }
                }
                g class="chart-axes" stroke=(AXIS_COLOUR) {
                    line x1=(coordinate(LEFT)) x2=(coordinate(LEFT)) y1=(coordinate(TOP)) y2=(coordinate(baseline)) {}
                    line x1=(coordinate(LEFT)) x2=(coordinate(WIDTH - RIGHT)) y1=(coordinate(baseline)) y2=(coordinate(baseline)) {}
                }
                g class="chart-x-labels" text-anchor="middle" {
                    @for (index, category) in self.categories.iter().enumerate() {
                        @if index % label_every == 0 {
                            text x=(coordinate(LEFT + band * (index as f64 + 0.5))) y=(coordinate(baseline + 18.0)) {
                                (category.label)
                            }
                        }
                    }
                }
                text class="chart-axis-label" x=(coordinate(LEFT + plot_width / 2.0)) y=(coordinate(HEIGHT - 12.0))
                    text-anchor="middle" { (self.x_label) }
                text class="chart-axis-label" transform=(format!("translate(16 {}) rotate(-90)", coordinate(TOP + plot_height / 2.0)))
                    text-anchor="middle" { (self.y_label) }
                @if self.series.len() > 1 {
                    g class="chart-legend" {
                        @for (index, series) in self.series.iter().enumerate() {
                            @let x = LEFT + 140.0 * index as f64;
                            rect x=(coordinate(x)) y="12" width="12" height="12" fill=(PALETTE[index % PALETTE.len()]) {}
                            text x=(coordinate(x + 18.0)) y="22" { (series) }
                        }
                    }
                }
            }
        }
    }
}

/// One decimal place, always, so the same chart is the same text.
fn coordinate(value: f64) -> String {
    format!("{value:.1}")
}

/// A round step for four ticks that reach at least `largest`: 1, 2, 2.5 or 5 times a power of
/// ten, whole numbers only.
fn axis_step(largest: i64) -> i64 {
    let needed = (largest.max(1).saturating_add(Y_TICKS - 1) / Y_TICKS).max(1);
    let mut power: i64 = 1;
    loop {
        for tenths in [10, 20, 25, 50] {
            let step = power.saturating_mul(tenths) / 10;
            if step >= needed && step.saturating_mul(10) == power.saturating_mul(tenths) {
                return step;
            }
        }
        if power > i64::MAX / 10 {
            return needed;
        }
        power *= 10;
    }
}

fn safe_id(id: &str) -> String {
    let kept: String =
        id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').map(|c| c.to_ascii_lowercase()).collect();
    format!("chart-{kept}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(series: &[&str], categories: &[(&str, &[i64])]) -> BarChart {
        BarChart {
            id: "demo".to_owned(),
            title: "Pledges per day".to_owned(),
            description: "3 pledges over 2 days".to_owned(),
            x_label: "Day".to_owned(),
            y_label: "Pledges".to_owned(),
            unit: Unit::Pledges,
            series: series.iter().map(|name| (*name).to_owned()).collect(),
            categories: categories
                .iter()
                .map(|(label, values)| Category { label: (*label).to_owned(), values: values.to_vec() })
                .collect(),
        }
    }

    /// WCAG 2 relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |index: usize| {
            let value = f64::from(u8::from_str_radix(&hex[index..index + 2], 16).unwrap()) / 255.0;
            if value <= 0.03928 {
                value / 12.92
            } else {
                ((value + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    #[test]
    fn bar_colours_contrast_at_least_three_to_one_with_white() {
        for colour in PALETTE {
            let contrast = 1.05 / (luminance(colour) + 0.05);
            assert!(contrast >= 3.0, "{colour} has contrast {contrast:.2}");
        }
        assert!(1.05 / (luminance(TEXT_COLOUR) + 0.05) >= 4.5);
        assert!(1.05 / (luminance(AXIS_COLOUR) + 0.05) >= 4.5);
        assert!(luminance("#ffffff") > 0.99 && luminance("#000000") < 0.01, "the luminance formula itself");
    }

    #[test]
    fn a_small_chart_renders_exactly() {
        let svg = chart(&["Pledges"], &[("Mon 2 Nov", &[2]), ("Tue 3 Nov", &[1])]).svg().into_string();
        let expected = concat!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="chart-demo-title chart-demo-desc" viewBox="0 0 720 320" width="720" height="320" font-family="sans-serif" font-size="12" fill="#1a1a1a">"##,
            r##"<title id="chart-demo-title">Pledges per day</title><desc id="chart-demo-desc">3 pledges over 2 days</desc>"##,
            r##"<g class="chart-grid" stroke="#d9d9d9"><line x1="80.0" x2="704.0" y1="202.0" y2="202.0"></line><line x1="80.0" x2="704.0" y1="148.0" y2="148.0"></line><line x1="80.0" x2="704.0" y1="94.0" y2="94.0"></line><line x1="80.0" x2="704.0" y1="40.0" y2="40.0"></line></g>"##,
            r##"<g class="chart-y-ticks" text-anchor="end"><text x="74.0" y="260.0">0</text><text x="74.0" y="206.0">1</text><text x="74.0" y="152.0">2</text><text x="74.0" y="98.0">3</text><text x="74.0" y="44.0">4</text></g>"##,
            r##"<g class="chart-bars"><rect class="chart-bar chart-series-0" x="111.2" y="148.0" width="249.6" height="108.0" fill="#1d4f91"><title>Mon 2 Nov, Pledges: 2</title></rect>"##,
            r##"<rect class="chart-bar chart-series-0" x="423.2" y="202.0" width="249.6" height="54.0" fill="#1d4f91"><title>Tue 3 Nov, Pledges: 1</title></rect></g>"##,
            r##"<g class="chart-axes" stroke="#595959"><line x1="80.0" x2="80.0" y1="40.0" y2="256.0"></line><line x1="80.0" x2="704.0" y1="256.0" y2="256.0"></line></g>"##,
            r##"<g class="chart-x-labels" text-anchor="middle"><text x="236.0" y="274.0">Mon 2 Nov</text><text x="548.0" y="274.0">Tue 3 Nov</text></g>"##,
            r##"<text class="chart-axis-label" x="392.0" y="308.0" text-anchor="middle">Day</text>"##,
            r##"<text class="chart-axis-label" transform="translate(16 148.0) rotate(-90)" text-anchor="middle">Pledges</text>"##,
            r##"</svg>"##,
        );
        assert_eq!(svg, expected);
    }

    #[test]
    fn output_is_deterministic_and_free_of_scripts_and_inline_styles() {
        let chart = chart(&["Monthly", "One-off"], &[("W45", &[2500, 0]), ("W46", &[0, 10_000])]);
        let svg = chart.render().into_string();
        assert_eq!(svg, chart.render().into_string());
        for forbidden in ["<script", "style=", "onclick", "onload", "javascript:"] {
            assert!(!svg.contains(forbidden), "{forbidden}");
        }
    }

    #[test]
    fn every_bar_has_accessible_text_and_series_have_a_legend() {
        let mut chart = chart(&["Monthly", "One-off"], &[("W45", &[2500, 0]), ("W46", &[0, 10_000])]);
        chart.unit = Unit::Money(Currency::GBP);
        let svg = chart.svg().into_string();
        assert_eq!(svg.matches("<rect class=\"chart-bar").count(), 4);
        assert!(svg.contains("<title>W45, Monthly: 25.00 GBP</title>"));
        assert!(svg.contains("<title>W46, One-off: 100.00 GBP</title>"));
        assert!(svg.contains("fill=\"#b34700\""), "the second series has the second colour");
        assert!(svg.contains("<g class=\"chart-legend\">"));
        assert!(svg.contains(">One-off</text>"));
        // 10 000 pence need ticks up to 100.00 in steps of 25.00.
        assert!(svg.contains(">25.00</text>") && svg.contains(">100.00</text>"));
    }

    #[test]
    fn a_single_series_has_no_legend() {
        let svg = chart(&["Pledges"], &[("a", &[1])]).svg().into_string();
        assert!(!svg.contains("chart-legend"));
    }

    #[test]
    fn crowded_axes_label_only_some_categories() {
        let labels: Vec<String> = (1..=30).map(|day| format!("d{day}")).collect();
        let categories: Vec<(&str, &[i64])> = labels.iter().map(|label| (label.as_str(), &[1i64][..])).collect();
        let svg = chart(&["Pledges"], &categories).svg().into_string();
        // Every fifth of thirty: d1, d6, …, d26.
        assert_eq!(svg.matches("</text>").count() - 5 - 2, 6, "five ticks, two axis labels, six category labels");
        assert!(svg.contains(">d26</text>") && !svg.contains(">d27</text>"));
        assert!(svg.contains("<title>d29, Pledges: 1</title>"), "every bar keeps its own text");
    }

    #[test]
    fn an_empty_chart_still_draws_its_axes() {
        let svg = chart(&["Pledges"], &[]).svg().into_string();
        assert!(svg.contains("<g class=\"chart-axes\""));
        assert!(!svg.contains("<rect"));
        assert!(svg.contains(">4</text>"), "an axis up to 4 rather than a division by zero");
    }

    #[test]
    fn markup_in_labels_is_escaped_in_the_chart_and_the_table() {
        let hostile = "<script>alert(1)</script>";
        let mut chart = chart(&["Pledges"], &[(hostile, &[1])]);
        chart.title = format!("Partner {hostile}");
        chart.series = vec![format!("\"{hostile}")];
        chart.id = "x\" onload=\"alert(1)".to_owned();
        let html = chart.render().into_string();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains(" onload="), "the id keeps letters, digits and hyphens only");
        let table = chart.data_table().render().into_string();
        assert!(!table.contains("<script>"));
        assert!(table.contains("<th scope=\"row\">&lt;script&gt;alert(1)&lt;/script&gt;</th>"));
        assert!(table.contains("&quot;&lt;script&gt;"));
    }

    #[test]
    fn the_table_holds_the_same_numbers() {
        let mut chart = chart(&["Monthly", "One-off"], &[("W45", &[2500, 0]), ("W46", &[0])]);
        chart.unit = Unit::Money(Currency::GBP);
        assert_eq!(
            chart.data_table(),
            DataTable {
                caption: "Pledges per day".to_owned(),
                headers: vec!["Day".to_owned(), "Monthly (GBP)".to_owned(), "One-off (GBP)".to_owned()],
                rows: vec![
                    vec!["W45".to_owned(), "25.00".to_owned(), "0.00".to_owned()],
                    vec!["W46".to_owned(), "0.00".to_owned(), "0.00".to_owned()],
                ],
            }
        );
        assert_eq!(
            chart.data_table().render().into_string(),
            "<table class=\"chart-table\"><caption>Pledges per day</caption><thead><tr>\
             <th scope=\"col\">Day</th><th scope=\"col\">Monthly (GBP)</th><th scope=\"col\">One-off (GBP)</th></tr></thead>\
             <tbody><tr><th scope=\"row\">W45</th><td>25.00</td><td>0.00</td></tr>\
             <tr><th scope=\"row\">W46</th><td>0.00</td><td>0.00</td></tr></tbody></table>"
        );
    }

    #[test]
    fn money_and_steps_format_as_expected() {
        assert_eq!(format_minor(2550, Currency::GBP), "25.50");
        assert_eq!(format_minor(5, Currency::EUR), "0.05");
        assert_eq!(format_minor(-150, Currency::USD), "-1.50");
        assert_eq!(format_minor(15_000, Currency::XOF), "15000");
        assert_eq!(format_minor(i64::MIN, Currency::GBP), "-92233720368547758.08");
        assert_eq!([0, 1, 4, 5, 9, 30, 399, 10_000].map(axis_step), [1, 1, 1, 2, 5, 10, 100, 2500]);
        assert!(axis_step(i64::MAX) >= i64::MAX / Y_TICKS);
    }
}
