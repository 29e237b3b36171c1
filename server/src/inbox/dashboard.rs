//! The dashboard: pledges and their value per day and per week, by partner and by option, and
//! how many reached `converted`. Each chart has its data table beside it.

use maud::{html, Markup};

use super::filters::{format_date, FilterProblem};
use super::layout::{self, SignedIn};
use crate::dashboard::figures::Figures;
use crate::dashboard::panels;

pub fn page(figures: &Figures, problems: &[FilterProblem], signed_in: SignedIn<'_>) -> Markup {
    let problem = |field: &str| problems.iter().find(|problem| problem.field == field);
    let content = html! {
        form class="filters" method="get" action="/admin/dashboard" aria-label="Dates shown" {
            @if !problems.is_empty() {
                (layout::notice(layout::NoticeKind::Problem, "The dates could not be read; the last eight weeks are shown."))
            }
            div class="fields" {
                div class="field" {
                    label for="since" { "From" }
                    input id="since" name="since" type="date" value=(format_date(figures.range.first()))
                        aria-invalid=[problem("since").map(|_| "true")] aria-describedby=[problem("since").map(|_| "since-problem")];
                    @if let Some(problem) = problem("since") { p class="field-problem" id="since-problem" { (problem.message) } }
                }
                div class="field" {
                    label for="until" { "Until" }
                    input id="until" name="until" type="date" value=(format_date(figures.range.last()))
                        aria-invalid=[problem("until").map(|_| "true")] aria-describedby=[problem("until").map(|_| "until-problem")];
                    @if let Some(problem) = problem("until") { p class="field-problem" id="until-problem" { (problem.message) } }
                }
            }
            p class="actions" { button type="submit" { "Show these dates" } }
        }
        p class="summary" {
            (figures.total.pledges) " pledges from " (format_date(figures.range.first())) " to " (format_date(figures.range.last()))
            ", of which " (figures.total.converted) " converted."
            @if let Some(note) = panels::review_note(figures) { " " (note) }
        }
        section aria-labelledby="per-day" {
            h2 id="per-day" { "Pledges per day" }
            (panels::pledges_per_day(figures).render())
        }
        section aria-labelledby="per-week" {
            h2 id="per-week" { "Pledges per week" }
            (panels::pledges_per_week(figures).render())
        }
        section aria-labelledby="value-per-day" {
            h2 id="value-per-day" { "Value per day" }
            @let charts = panels::value_per_day(figures);
            @if charts.is_empty() { p { "No pledges in these dates." } }
            @for chart in charts { (chart.render()) }
        }
        section aria-labelledby="value-per-week" {
            h2 id="value-per-week" { "Value per week" }
            @let charts = panels::value_per_week(figures);
            @if charts.is_empty() { p { "No pledges in these dates." } }
            @for chart in charts { (chart.render()) }
        }
        section aria-labelledby="by-partner" {
            h2 id="by-partner" { "By partner" }
            (panels::partner_table(figures).render())
        }
        section aria-labelledby="by-option" {
            h2 id="by-option" { "By way of giving" }
            (panels::option_table(figures).render())
        }
    };
    layout::page("Dashboard", Some(signed_in), content)
}
