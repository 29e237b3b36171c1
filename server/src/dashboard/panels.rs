//! The dashboard's charts and tables, made from its [`Figures`]: what the staff see and in
//! which words.
//!
//! Money gets a chart per currency, since amounts in different currencies share no scale.

use pledge::{Currency, SponsorshipOption};
use time::Date;

use super::chart::{format_minor, BarChart, Category, DataTable, Unit};
use super::figures::{Breakdown, Figures, Period};

/// Pledges per day, every day of the range.
pub fn pledges_per_day(figures: &Figures) -> BarChart {
    pledge_count_chart("pledges-per-day", "Pledges per day", "Day", &figures.days, day_label, figures)
}

/// Pledges per ISO week.
pub fn pledges_per_week(figures: &Figures) -> BarChart {
    pledge_count_chart("pledges-per-week", "Pledges per week", "Week", &figures.weeks, week_label, figures)
}

/// Value pledged per week in each currency that occurs, monthly and one-off side by side.
pub fn value_per_week(figures: &Figures) -> Vec<BarChart> {
    value_charts(figures, "week", "Week", &figures.weeks, week_label)
}

/// Value pledged per day, one chart per currency: monthly pledges and one-off gifts apart.
pub fn value_per_day(figures: &Figures) -> Vec<BarChart> {
    value_charts(figures, "day", "Day", &figures.days, day_label)
}

fn value_charts(
    figures: &Figures,
    per: &str,
    x_label: &str,
    periods: &[Period],
    label: fn(&Period) -> String,
) -> Vec<BarChart> {
    figures
        .currencies()
        .into_iter()
        .map(|currency| {
            let (monthly, one_off) = figures.total.value.split(currency);
            BarChart {
                id: format!("value-per-{per}-{}", currency.code()),
                title: format!("Value pledged per {per} in {}", currency.code()),
                description: format!(
                    "{} to {}: {} {code} a month in monthly pledges and {} {code} in one-off gifts.",
                    long_date(figures.range.first()),
                    long_date(figures.range.last()),
                    format_minor(monthly, currency),
                    format_minor(one_off, currency),
                    code = currency.code(),
                ),
                x_label: x_label.to_owned(),
                y_label: format!("Amount ({})", currency.code()),
                unit: Unit::Money(currency),
                series: vec!["Monthly".to_owned(), "One-off".to_owned()],
                categories: periods
                    .iter()
                    .map(|period| {
                        let (monthly, one_off) = period.value.split(currency);
                        Category { label: label(period), values: vec![monthly, one_off] }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Partners, most pledges first.
pub fn partner_table(figures: &Figures) -> DataTable {
    breakdown_table("Pledges by partner", "Partner", &figures.by_partner, |key| key.clone(), figures)
}

/// Sponsorship options.
pub fn option_table(figures: &Figures) -> DataTable {
    breakdown_table("Pledges by option", "Option", &figures.by_option, |key| option_name(*key).to_owned(), figures)
}

pub fn option_name(option: SponsorshipOption) -> &'static str {
    match option {
        SponsorshipOption::Child => "Sponsor a child",
        SponsorshipOption::Village => "Sponsor the village",
        SponsorshipOption::OneOff => "One-off gift",
    }
}

/// Says how many pledges were left out for review, or nothing when none were.
pub fn review_note(figures: &Figures) -> Option<String> {
    match figures.in_review {
        0 => None,
        1 => Some("1 pledge held for review is not counted.".to_owned()),
        count => Some(format!("{count} pledges held for review are not counted.")),
    }
}

fn pledge_count_chart(
    id: &str,
    title: &str,
    x_label: &str,
    periods: &[Period],
    label: fn(&Period) -> String,
    figures: &Figures,
) -> BarChart {
    let busiest = periods.iter().max_by_key(|period| (period.pledges, std::cmp::Reverse(period.first_day)));
    let busiest = match busiest {
        Some(period) if period.pledges > 0 => {
            format!(" The most, {}, on {}.", period.pledges, label(period))
        }
        _ => String::new(),
    };
    BarChart {
        id: id.to_owned(),
        title: title.to_owned(),
        description: format!(
            "{} to {}: {} in all.{busiest}",
            long_date(figures.range.first()),
            long_date(figures.range.last()),
            pledges(figures.total.pledges),
        ),
        x_label: x_label.to_owned(),
        y_label: "Pledges".to_owned(),
        unit: Unit::Pledges,
        series: vec!["Pledges".to_owned()],
        categories: periods
            .iter()
            .map(|period| Category {
                label: label(period),
                values: vec![i64::try_from(period.pledges).unwrap_or(i64::MAX)],
            })
            .collect(),
    }
}

fn breakdown_table<K>(
    caption: &str,
    key_header: &str,
    breakdowns: &[Breakdown<K>],
    key_label: impl Fn(&K) -> String,
    figures: &Figures,
) -> DataTable {
    let currencies: Vec<Currency> = figures.currencies();
    let mut headers =
        vec![key_header.to_owned(), "Pledges".to_owned(), "Converted".to_owned(), "Conversion rate".to_owned()];
    for currency in &currencies {
        headers.push(format!("Monthly ({})", currency.code()));
        headers.push(format!("One-off ({})", currency.code()));
    }
    let rows = breakdowns
        .iter()
        .map(|breakdown| {
            let mut row = vec![
                key_label(&breakdown.key),
                breakdown.pledges.to_string(),
                breakdown.converted.to_string(),
                breakdown.conversion_rate().map_or_else(|| "–".to_owned(), |rate| format!("{:.0}%", rate * 100.0)),
            ];
            for currency in &currencies {
                let (monthly, one_off) = breakdown.value.split(*currency);
                row.push(format_minor(monthly, *currency));
                row.push(format_minor(one_off, *currency));
            }
            row
        })
        .collect();
    DataTable { caption: caption.to_owned(), headers, rows }
}

fn pledges(count: u64) -> String {
    if count == 1 {
        "1 pledge".to_owned()
    } else {
        format!("{count} pledges")
    }
}

fn month_abbreviation(date: Date) -> String {
    date.month().to_string().chars().take(3).collect()
}

/// `Mon 2 Nov`.
fn day_label(period: &Period) -> String {
    let day = period.first_day;
    let weekday: String = day.weekday().to_string().chars().take(3).collect();
    format!("{weekday} {} {}", day.day(), month_abbreviation(day))
}

/// `W45 (2 Nov)`: the ISO week and the first day of it inside the range.
fn week_label(period: &Period) -> String {
    let (_, week) = period.iso_week();
    format!("W{week} ({} {})", period.first_day.day(), month_abbreviation(period.first_day))
}

/// `2 November 2026`.
fn long_date(date: Date) -> String {
    format!("{} {} {}", date.day(), date.month(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::figures::tests::facts;
    use crate::dashboard::figures::{figures, DateRange, Status};
    use time::macros::date;

    fn sample() -> Figures {
        let mut converted = facts("2026-11-02T10:00:00Z", "school", SponsorshipOption::Child, Currency::GBP, 2500);
        converted.status = Status::Converted;
        let mut held = facts("2026-11-03T10:00:00Z", "bot", SponsorshipOption::Child, Currency::GBP, 2500);
        held.status = Status::Review;
        let pledges = [
            converted,
            facts("2026-11-02T12:00:00Z", "<script>alert(1)</script>", SponsorshipOption::OneOff, Currency::GBP, 5000),
            facts("2026-11-09T12:00:00Z", "school", SponsorshipOption::Village, Currency::XOF, 15_000),
            held,
        ];
        figures(&pledges, DateRange::new(date!(2026 - 11 - 01), date!(2026 - 11 - 10)).unwrap())
    }

    #[test]
    fn daily_chart_has_every_day_and_describes_the_range() {
        let chart = pledges_per_day(&sample());
        assert_eq!(chart.categories.len(), 10);
        assert_eq!(chart.categories[0], Category { label: "Sun 1 Nov".to_owned(), values: vec![0] });
        assert_eq!(chart.categories[1], Category { label: "Mon 2 Nov".to_owned(), values: vec![2] });
        assert_eq!(
            chart.description,
            "1 November 2026 to 10 November 2026: 3 pledges in all. The most, 2, on Mon 2 Nov."
        );
    }

    #[test]
    fn weekly_chart_labels_iso_weeks() {
        let chart = pledges_per_week(&sample());
        let labels: Vec<_> = chart.categories.iter().map(|c| (c.label.as_str(), c.values[0])).collect();
        assert_eq!(labels, [("W44 (1 Nov)", 0), ("W45 (2 Nov)", 2), ("W46 (9 Nov)", 1)]);
    }

    #[test]
    fn value_charts_come_one_per_currency() {
        let charts = value_per_week(&sample());
        let titles: Vec<_> = charts.iter().map(|chart| chart.title.as_str()).collect();
        assert_eq!(titles, ["Value pledged per week in GBP", "Value pledged per week in XOF"]);
        assert_eq!(charts[0].unit, Unit::Money(Currency::GBP));
        assert_eq!(charts[0].categories[1].values, [2500, 5000]);
        assert_eq!(charts[1].categories[2].values, [15_000, 0]);
        assert!(charts[0]
            .description
            .ends_with("25.00 GBP a month in monthly pledges and 50.00 GBP in one-off gifts."));
        assert_ne!(charts[0].id, charts[1].id, "ids stay unique on the page");
    }

    #[test]
    fn partner_and_option_tables_show_counts_rates_and_money_per_currency() {
        let figures = sample();
        let partners = partner_table(&figures);
        assert_eq!(
            partners.headers,
            [
                "Partner",
                "Pledges",
                "Converted",
                "Conversion rate",
                "Monthly (GBP)",
                "One-off (GBP)",
                "Monthly (XOF)",
                "One-off (XOF)"
            ]
        );
        assert_eq!(partners.rows[0], ["school", "2", "1", "50%", "25.00", "0.00", "15000", "0"]);
        assert_eq!(partners.rows[1][0], "<script>alert(1)</script>", "the model holds text; rendering escapes it");
        let html = partners.render().into_string();
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

        let options = option_table(&figures);
        let names: Vec<_> = options.rows.iter().map(|row| row[0].as_str()).collect();
        assert_eq!(names, ["Sponsor a child", "Sponsor the village", "One-off gift"]);
        assert_eq!(options.rows[0][1..4], ["1", "1", "100%"]);
    }

    #[test]
    fn empty_groups_show_a_dash_for_the_rate() {
        let empty = figures(&[], DateRange::new(date!(2026 - 11 - 01), date!(2026 - 11 - 01)).unwrap());
        let options = option_table(&empty);
        assert!(options.rows.iter().all(|row| row[3] == "–"));
        assert_eq!(options.headers.len(), 4, "no money columns without money");
        assert_eq!(pledges_per_day(&empty).description, "1 November 2026 to 1 November 2026: 0 pledges in all.");
    }

    #[test]
    fn review_pledges_are_mentioned() {
        assert_eq!(review_note(&sample()).as_deref(), Some("1 pledge held for review is not counted."));
        let empty = figures(&[], DateRange::new(date!(2026 - 11 - 01), date!(2026 - 11 - 01)).unwrap());
        assert_eq!(review_note(&empty), None);
    }

    #[test]
    fn hostile_partner_ids_stay_escaped_in_rendered_charts() {
        let figures = sample();
        let partner = &figures.by_partner[1].key;
        let chart = BarChart {
            id: "partners".to_owned(),
            title: "Pledges by partner".to_owned(),
            description: format!("Pledges from {partner}"),
            x_label: "Partner".to_owned(),
            y_label: "Pledges".to_owned(),
            unit: Unit::Pledges,
            series: vec!["Pledges".to_owned()],
            categories: vec![Category { label: partner.clone(), values: vec![1] }],
        };
        let html = chart.render().into_string();
        assert!(!html.contains("<script>"));
        assert_eq!(html.matches("&lt;script&gt;").count(), 4, "desc, bar title, axis label and table row");
    }
}
