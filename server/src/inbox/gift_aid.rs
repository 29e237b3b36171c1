//! The Gift Aid page: what the schedule download holds, and the records that cannot be
//! claimed as they stand, each with its reasons and a link to the pledge.

use maud::{html, Markup};

use super::layout::{self, SignedIn};
use super::list::pledge_path;
use crate::export::gift_aid::GiftAidSchedule;

pub const DOWNLOAD_PATH: &str = "/admin/gift-aid.csv";

pub fn page(schedule: &GiftAidSchedule, signed_in: SignedIn<'_>) -> Markup {
    let content = html! {
        p {
            "The download lists every converted pledge with a Gift Aid declaration, in the columns of HMRC's "
            "Charities Online schedule, to paste into the schedule spreadsheet. Check each row against the money "
            "actually received before you claim: the receiver records pledges, not payments."
        }
        p class="summary" {
            @match schedule.rows.len() { 1 => { "1 row is ready to claim." } rows => { (rows) " rows are ready to claim." } }
            " "
            @match schedule.unclaimable.len() { 0 => { "No record needs attention." } 1 => { "1 record cannot be claimed as it stands." } count => { (count) " records cannot be claimed as they stand." } }
        }
        p { a href=(DOWNLOAD_PATH) download="gift-aid-schedule.csv" { "Download the schedule (CSV)" } }
        @if !schedule.rows.is_empty() {
            div class="table-scroll" role="region" aria-labelledby="ready" tabindex="0" {
                table class="schedule" {
                    caption id="ready" { "Rows ready to claim, as in the download" }
                    thead {
                        tr {
                            th scope="col" { "Pledge" }
                            th scope="col" { "First name" }
                            th scope="col" { "Last name" }
                            th scope="col" { "House name or number" }
                            th scope="col" { "Postcode" }
                            th scope="col" { "Donation date" }
                            th scope="col" class="number" { "Amount" }
                        }
                    }
                    tbody {
                        @for row in &schedule.rows {
                            tr {
                                th scope="row" { a href=(pledge_path(&row.reference)) { (row.reference) } }
                                td { (row.first_name) }
                                td { (row.last_name) }
                                td { (row.house_name_or_number) }
                                td { (row.postcode) }
                                td { (row.donation_date) }
                                td class="number" { (row.amount) }
                            }
                        }
                    }
                }
            }
        }
        @if !schedule.unclaimable.is_empty() {
            h2 id="unclaimable" { "Records that cannot be claimed as they stand" }
            p { "Correct them with the donor, or enter them in the schedule by hand, before claiming." }
            table class="unclaimable" aria-labelledby="unclaimable" {
                thead { tr { th scope="col" { "Pledge" } th scope="col" { "Why" } } }
                tbody {
                    @for record in &schedule.unclaimable {
                        tr {
                            th scope="row" { a href=(pledge_path(&record.reference)) { (record.reference) } }
                            td { ul { @for reason in &record.reasons { li { (reason.message()) } } } }
                        }
                    }
                }
            }
        }
    };
    layout::page("Gift Aid", Some(signed_in), content)
}
