//! Pledges as CSV (RFC 4180) for a spreadsheet: a header row, CRLF line ends, a UTF-8 byte
//! order mark so that Excel reads accented names correctly.
//!
//! A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be taken for a
//! formula by spreadsheet software; such cells get a leading apostrophe, which spreadsheets
//! show as text and do not evaluate. Everything else is written verbatim, markup included.

use crate::storage::StoredPledge;

pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";
const BYTE_ORDER_MARK: &str = "\u{feff}";

/// The columns in order. New columns are only ever added at the end, so that spreadsheets and
/// scripts that read columns by position keep working.
pub const COLUMNS: [&str; 31] = [
    "reference",
    "received_at",
    "partner",
    "option",
    "frequency",
    "amount",
    "currency",
    "amount_minor_units",
    "given_name",
    "family_name",
    "email",
    "country",
    "gift_aid",
    "gift_aid_wording_version",
    "home_address",
    "postcode",
    "consent_email",
    "consent_post",
    "consent_phone",
    "consent_wording_version",
    "locale",
    "page_url",
    "client_created_at",
    "idempotency_key",
    "schema_version",
    "status",
    "review_reason",
    "released_at",
    "phone",
    "postal_address",
    "postal_postcode",
];

/// The header row, with the byte order mark in front.
pub fn header() -> String {
    let mut text = String::from(BYTE_ORDER_MARK);
    write_row(&mut text, COLUMNS.iter().map(|column| column.to_string()));
    text
}

pub fn append_pledge(text: &mut String, stored: &StoredPledge) {
    let pledge = &stored.pledge;
    let yes_no = |flag: bool| if flag { "yes" } else { "no" }.to_owned();
    let gift_aid = pledge.gift_aid.as_ref();
    let postal_address = pledge.donor.postal_address.as_ref();
    write_row(
        text,
        [
            stored.reference.clone(),
            stored.received_at.to_rfc3339(),
            pledge.partner.clone(),
            pledge.option.as_str().to_owned(),
            pledge.frequency.as_str().to_owned(),
            pledge.amount.to_decimal_string(),
            pledge.amount.currency.code().to_owned(),
            pledge.amount.minor_units.to_string(),
            pledge.donor.given_name.clone(),
            pledge.donor.family_name.clone(),
            pledge.donor.email.clone(),
            pledge.donor.country.clone(),
            yes_no(gift_aid.is_some()),
            gift_aid.map(|g| g.wording_version.clone()).unwrap_or_default(),
            gift_aid.map(|g| g.home_address.clone()).unwrap_or_default(),
            gift_aid.map(|g| g.postcode.clone()).unwrap_or_default(),
            yes_no(pledge.consent.email),
            yes_no(pledge.consent.post),
            yes_no(pledge.consent.phone),
            pledge.consent.wording_version.clone(),
            pledge.locale.as_str().to_owned(),
            pledge.page_url.clone(),
            pledge.client_created_at.clone(),
            pledge.idempotency_key.clone(),
            pledge.schema_version.to_string(),
            stored.status.as_str().to_owned(),
            stored.review_reason.map(|reason| reason.as_str().to_owned()).unwrap_or_default(),
            stored.released_at.map(|at| at.to_rfc3339()).unwrap_or_default(),
            pledge.donor.phone.clone().unwrap_or_default(),
            postal_address.map(|a| a.address.clone()).unwrap_or_default(),
            postal_address.map(|a| a.postcode.clone()).unwrap_or_default(),
        ],
    );
}

fn write_row(text: &mut String, cells: impl IntoIterator<Item = String>) {
    for (index, cell) in cells.into_iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        write_cell(text, &cell);
    }
    text.push_str("\r\n");
}

fn write_cell(text: &mut String, cell: &str) {
    let neutralised;
    let cell = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        neutralised = format!("'{cell}");
        &neutralised
    } else {
        cell
    };
    if cell.contains([',', '"', '\r', '\n']) {
        text.push('"');
        text.push_str(&cell.replace('"', "\"\""));
        text.push('"');
    } else {
        text.push_str(cell);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(value: &str) -> String {
        let mut text = String::new();
        write_cell(&mut text, value);
        text
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(cell("+33 1 23"), "'+33 1 23");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
    }

    #[test]
    fn markup_is_kept_verbatim() {
        assert_eq!(cell("<img src=x onerror=alert(1)>"), "<img src=x onerror=alert(1)>");
        assert_eq!(cell("Traoré"), "Traoré");
    }

    #[test]
    fn separators_and_quotes_are_quoted() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
    }

    /// The cells of an example pledge's row, after `edit`, as a CSV reader sees them.
    fn row(example: &str, edit: impl FnOnce(&mut pledge::Pledge)) -> Vec<String> {
        let mut pledge = serde_json::from_str(example).unwrap();
        edit(&mut pledge);
        let stored = StoredPledge {
            id: 1,
            reference: "SK-7Q2M-X9D4".to_owned(),
            received_at: crate::timestamp::Timestamp::from_micros(0),
            status: crate::storage::Status::New,
            review_reason: None,
            released_at: None,
            pledge,
        };
        let mut text = String::new();
        append_pledge(&mut text, &stored);
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        record.iter().map(str::to_owned).collect()
    }

    #[test]
    fn contact_details_are_the_last_columns_and_empty_when_not_given() {
        let with_details = row(include_str!("../../../contract/examples/child-eur.json"), |pledge| {
            pledge.consent.phone = true;
            pledge.donor.phone = Some("+33 1 99 00 12 34".to_owned());
        });
        assert_eq!(with_details.len(), COLUMNS.len());
        assert_eq!(with_details[COLUMNS.len() - 3..], ["'+33 1 99 00 12 34", "12 rue des Lilas, Lyon", "69003"]);
        let without = row(include_str!("../../../contract/examples/child-gbp-gift-aid.json"), |_| {});
        assert_eq!(without.len(), COLUMNS.len());
        assert_eq!(without[COLUMNS.len() - 3..], ["", "", ""]);
    }

    #[test]
    fn header_starts_with_a_byte_order_mark() {
        let header = header();
        assert!(header.starts_with('\u{feff}'));
        assert!(header.ends_with("status,review_reason,released_at,phone,postal_address,postal_postcode\r\n"));
        assert_eq!(header.matches(',').count(), COLUMNS.len() - 1);
    }
}
