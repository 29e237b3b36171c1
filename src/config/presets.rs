//! The suggested amounts offered for each way of helping.
//!
//! Partners may set them with the `presets` attribute, in major units of the widget's currency:
//! `child:20,30,50; village:10,20; one-off:25,50,100`. Options left out keep their defaults.

use pledge::{Amount, Currency, SponsorshipOption};

/// At most this many suggestions per option: more would turn a quick choice into a hard one.
pub const MAX_PRESETS_PER_OPTION: usize = 4;

/// What is wrong with a `presets` attribute, with the part of it that is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresetsProblem {
    /// A clause without `option:amounts`.
    NotAClause(String),
    UnknownOption(String),
    /// An option given no amounts, or more than [`MAX_PRESETS_PER_OPTION`].
    TooManyOrNone(String),
    NotWhole(String),
    OutOfRange(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presets {
    pub child: Vec<Amount>,
    pub village: Vec<Amount>,
    pub one_off: Vec<Amount>,
}

impl Presets {
    pub fn for_option(&self, option: SponsorshipOption) -> &[Amount] {
        match option {
            SponsorshipOption::Child => &self.child,
            SponsorshipOption::Village => &self.village,
            SponsorshipOption::OneOff => &self.one_off,
        }
    }

    fn for_option_mut(&mut self, option: SponsorshipOption) -> &mut Vec<Amount> {
        match option {
            SponsorshipOption::Child => &mut self.child,
            SponsorshipOption::Village => &mut self.village,
            SponsorshipOption::OneOff => &mut self.one_off,
        }
    }

    /// Reads the `presets` attribute. The error names the first problem in the partner's terms.
    pub fn parse(text: &str, currency: Currency) -> Result<Presets, PresetsProblem> {
        let mut presets = default_presets(currency);
        for clause in text.split(';').map(str::trim).filter(|clause| !clause.is_empty()) {
            let (name, amounts) =
                clause.split_once(':').ok_or_else(|| PresetsProblem::NotAClause(clause.to_owned()))?;
            let option = match name.trim() {
                "child" => SponsorshipOption::Child,
                "village" => SponsorshipOption::Village,
                "one-off" | "one_off" => SponsorshipOption::OneOff,
                other => return Err(PresetsProblem::UnknownOption(other.to_owned())),
            };
            let parsed = amounts
                .split(',')
                .map(|amount| parse_preset(amount.trim(), currency))
                .collect::<Result<Vec<_>, _>>()?;
            if parsed.is_empty() || parsed.len() > MAX_PRESETS_PER_OPTION {
                return Err(PresetsProblem::TooManyOrNone(name.trim().to_owned()));
            }
            *presets.for_option_mut(option) = parsed;
        }
        Ok(presets)
    }
}

/// Presets are whole amounts in major units: a partner writes `25`, never `25.00` or `2500`.
fn parse_preset(text: &str, currency: Currency) -> Result<Amount, PresetsProblem> {
    let major: u64 = text.parse().map_err(|_| PresetsProblem::NotWhole(text.to_owned()))?;
    let amount = Amount::new(major.saturating_mul(10u64.pow(currency.exponent())), currency);
    amount.check_bounds().map(|()| amount).map_err(|_| PresetsProblem::OutOfRange(text.to_owned()))
}

/// The documented defaults. They are suggestions for the donor, chosen per currency so that
/// each reads as a round figure in that currency.
pub fn default_presets(currency: Currency) -> Presets {
    let whole = |amounts: &[u64]| -> Vec<Amount> {
        let scale = 10u64.pow(currency.exponent());
        amounts.iter().map(|major| Amount::new(major * scale, currency)).collect()
    };
    match currency {
        Currency::GBP => {
            Presets { child: whole(&[20, 30, 50]), village: whole(&[10, 20, 40]), one_off: whole(&[25, 50, 100]) }
        }
        Currency::EUR | Currency::USD => {
            Presets { child: whole(&[25, 35, 60]), village: whole(&[12, 25, 50]), one_off: whole(&[30, 60, 120]) }
        }
        Currency::XOF => Presets {
            child: whole(&[15_000, 25_000, 40_000]),
            village: whole(&[8_000, 15_000, 30_000]),
            one_off: whole(&[20_000, 40_000, 80_000]),
        },
    }
}
