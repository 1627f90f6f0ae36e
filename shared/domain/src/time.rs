//! Calendar dates are Warsaw dates: "today" for a membership or a leaving date is the day in
//! Poland, not in UTC (23:30 UTC on 31 March is already 1 April in Warsaw in summer time).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Warsaw;

pub fn warsaw_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Warsaw).date_naive()
}

pub fn today() -> NaiveDate {
    warsaw_date(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn late_evening_utc_is_next_day_in_warsaw() {
        let at = Utc.with_ymd_and_hms(2026, 3, 31, 22, 30, 0).unwrap(); // 00:30 CEST on 1 April
        assert_eq!(warsaw_date(at), NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        let winter = Utc.with_ymd_and_hms(2026, 12, 31, 22, 59, 0).unwrap(); // 23:59 CET
        assert_eq!(warsaw_date(winter), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
    }

    proptest! {
        #[test]
        fn warsaw_date_is_utc_date_or_the_next(secs in 0i64..4_102_444_800) {
            let at = Utc.timestamp_opt(secs, 0).unwrap();
            let local = warsaw_date(at);
            let utc = at.date_naive();
            prop_assert!(local == utc || local == utc.succ_opt().unwrap());
        }
    }
}
