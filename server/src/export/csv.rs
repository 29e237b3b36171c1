//! Pledges as CSV (RFC 4180) for a spreadsheet: a header row, CRLF line ends, a UTF-8 byte
//! order mark so that Excel reads accented names correctly.
//!
//! A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be taken for a
//! formula by spreadsheet software; such cells get a leading apostrophe, which spreadsheets
//! show as text and do not evaluate. Everything else is written verbatim, markup included.
//! Quoting and escaping are the `csv` crate's: a cell is quoted only when it holds a comma, a
//! quote or a line break.

use std::borrow::Cow;

use csv::{Terminator, Writer, WriterBuilder};

use crate::storage::StoredPledge;

pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";
const BYTE_ORDER_MARK: &[u8] = "\u{feff}".as_bytes();

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

/// A CSV file being written: the byte order mark and the header row, then one row per pledge.
pub struct PledgesCsv {
    writer: Writer<Vec<u8>>,
}

impl PledgesCsv {
    pub fn new() -> Result<PledgesCsv, csv::Error> {
        let mut writer = writer(BYTE_ORDER_MARK.to_vec());
        writer.write_record(COLUMNS)?;
        Ok(PledgesCsv { writer })
    }

    pub fn append(&mut self, stored: &StoredPledge) -> Result<(), csv::Error> {
        self.writer.write_record(row(stored).iter().map(|cell| neutralised(cell).into_owned()))
    }

    /// The whole file.
    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.writer.into_inner().map_err(|error| csv::Error::from(error.into_error()))
    }
}

/// RFC 4180 as spreadsheets read it: CRLF line ends, `"` doubled inside quoted cells.
fn writer(out: Vec<u8>) -> Writer<Vec<u8>> {
    WriterBuilder::new().terminator(Terminator::CRLF).from_writer(out)
}

/// The cells of one pledge, in [`COLUMNS`] order.
fn row(stored: &StoredPledge) -> [String; COLUMNS.len()] {
    let pledge = &stored.pledge;
    let yes_no = |flag: bool| if flag { "yes" } else { "no" }.to_owned();
    let gift_aid = pledge.gift_aid.as_ref();
    let postal_address = pledge.donor.postal_address.as_ref();
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
    ]
}

/// A cell a spreadsheet would run as a formula, behind an apostrophe that makes it text.
fn neutralised(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One cell as the export writes it, without the line end.
    fn cell(value: &str) -> String {
        let mut writer = writer(Vec::new());
        writer.write_record([neutralised(value).as_ref()]).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        text.strip_suffix("\r\n").unwrap().to_owned()
    }

    fn text(export: PledgesCsv) -> String {
        String::from_utf8(export.finish().unwrap()).unwrap()
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
            erased_at: None,
            pledge,
        };
        let mut export = PledgesCsv::new().unwrap();
        export.append(&stored).unwrap();
        let text = text(export);
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        let record = reader.records().nth(1).unwrap().unwrap();
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
        let header = text(PledgesCsv::new().unwrap());
        assert!(header.starts_with('\u{feff}'));
        assert!(header.ends_with("status,review_reason,released_at,phone,postal_address,postal_postcode\r\n"));
        assert_eq!(header.matches(',').count(), COLUMNS.len() - 1);
    }
}
