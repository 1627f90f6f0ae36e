//! Venues (miejsca szkoleń) from the maintained list, and distances between coordinates, used to
//! invite units within N km of a venue. Coordinates are stored as decimal degrees (exact, no
//! floats in stored data); only the distance computation uses `f64` internally.

use chrono::{DateTime, Utc};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{bounded_text, FieldError, ValidationErrors};
use crate::ids::VenueId;
use crate::unit::{Address, AddressInput, NAME_MAX, NOTES_MAX};
use crate::values::PostalCode;

/// Mean Earth radius (IUGG), km.
const EARTH_RADIUS_KM: f64 = 6371.0088;
/// 6 decimal places of a degree ≈ 0.1 m: more than any venue needs.
const COORDINATE_DP: u32 = 6;

/// A point in WGS 84 decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Coordinates {
    #[schema(value_type = String, example = "52.406374")]
    pub latitude: Decimal,
    #[schema(value_type = String, example = "16.925168")]
    pub longitude: Decimal,
}

impl Coordinates {
    /// Both values parse (a decimal comma is accepted), are in range and are rounded to 6 places.
    /// Errors name `latitude` / `longitude` under `prefix` (e.g. `"venue."`).
    pub fn parse(latitude: &str, longitude: &str, prefix: &str) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut one = |raw: &str, field: &str, limit: i64, pl: &str, en: &str| {
            let value =
                raw.trim().replace(',', ".").parse::<Decimal>().ok().filter(|v| v.abs() <= Decimal::from(limit));
            if value.is_none() {
                errors.push(FieldError::new(format!("{prefix}{field}"), "invalid_coordinate", pl, en));
            }
            value.map(|v| v.round_dp_with_strategy(COORDINATE_DP, RoundingStrategy::MidpointAwayFromZero))
        };
        let lat = one(
            latitude,
            "latitude",
            90,
            "Szerokość geograficzna: liczba od -90 do 90 (np. 52,406374).",
            "Latitude: a number from -90 to 90 (e.g. 52.406374).",
        );
        let lon = one(
            longitude,
            "longitude",
            180,
            "Długość geograficzna: liczba od -180 do 180 (np. 16,925168).",
            "Longitude: a number from -180 to 180 (e.g. 16.925168).",
        );
        match (lat, lon) {
            (Some(latitude), Some(longitude)) => Ok(Self { latitude, longitude }),
            _ => Err(errors),
        }
    }

    fn radians(&self) -> (f64, f64) {
        let degrees = |d: Decimal| d.to_f64().unwrap_or_default().to_radians();
        (degrees(self.latitude), degrees(self.longitude))
    }
}

/// Great-circle (haversine) distance, rounded to 0.1 km: ample for "units within 30 km".
pub fn distance_km(a: Coordinates, b: Coordinates) -> Decimal {
    let ((lat1, lon1), (lat2, lon2)) = (a.radians(), b.radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    let km = 2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin();
    Decimal::from_f64(km).unwrap_or_default().round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Venue {
    pub id: VenueId,
    pub name: String,
    pub address: Address,
    /// Seats in the room; a training there cannot take more.
    pub capacity: u32,
    pub coordinates: Coordinates,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A venue as posted (create) or patched (absent = unchanged, "" = cleared where optional).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VenueInput {
    pub name: Option<String>,
    pub address: Option<AddressInput>,
    pub capacity: Option<u32>,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub notes: Option<String>,
    /// Required on PATCH (optimistic locking).
    pub version: Option<u64>,
}

impl VenueInput {
    pub fn create(self, now: DateTime<Utc>) -> Result<Venue, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let blank = Venue {
            id: VenueId::generate(),
            name: String::new(),
            address: Address::default(),
            capacity: 0,
            coordinates: Coordinates { latitude: Decimal::ZERO, longitude: Decimal::ZERO },
            notes: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        if self.name.is_none() {
            errors.push(FieldError::required("name"));
        }
        if self.capacity.is_none() {
            errors.push(FieldError::required("capacity"));
        }
        for (field, value) in [("latitude", &self.latitude), ("longitude", &self.longitude)] {
            if value.is_none() {
                errors.push(FieldError::required(field));
            }
        }
        let venue = self.apply(blank, &mut errors);
        errors.into_result(|| venue)
    }

    pub fn update(self, current: &Venue, now: DateTime<Utc>) -> Result<Venue, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.version.is_none() {
            errors.push(FieldError::required("version"));
        }
        let mut venue = self.apply(current.clone(), &mut errors);
        venue.version = current.version + 1;
        venue.updated_at = now;
        errors.into_result(|| venue)
    }

    fn apply(self, mut venue: Venue, errors: &mut ValidationErrors) -> Venue {
        if let Some(raw) = self.name.as_deref() {
            if let Some(name) = errors.required("name", Some(raw), |s| bounded_text(s, NAME_MAX)) {
                venue.name = name;
            }
        }
        if let Some(address) = self.address {
            let text = |s: &str| bounded_text(s, NAME_MAX);
            venue.address.street =
                errors.patch("address.street", venue.address.street, address.street.as_deref(), text);
            venue.address.postal_code = errors.patch(
                "address.postalCode",
                venue.address.postal_code,
                address.postal_code.as_deref(),
                PostalCode::parse,
            );
            venue.address.city = errors.patch("address.city", venue.address.city, address.city.as_deref(), text);
        }
        if venue.address.city.is_none() {
            errors.push(FieldError::required("address.city"));
        }
        if let Some(capacity) = self.capacity {
            if capacity == 0 {
                errors.push(FieldError::new(
                    "capacity",
                    "capacity_zero",
                    "Liczba miejsc musi być większa od zera.",
                    "Capacity must be greater than zero.",
                ));
            }
            venue.capacity = capacity;
        }
        if self.latitude.is_some() || self.longitude.is_some() {
            let latitude = self.latitude.unwrap_or_else(|| venue.coordinates.latitude.to_string());
            let longitude = self.longitude.unwrap_or_else(|| venue.coordinates.longitude.to_string());
            match Coordinates::parse(&latitude, &longitude, "") {
                Ok(coordinates) => venue.coordinates = coordinates,
                Err(found) => found.into_iter().for_each(|e| errors.push(e)),
            }
        }
        venue.notes = errors.patch("notes", venue.notes, self.notes.as_deref(), |s| bounded_text(s, NOTES_MAX));
        venue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn point(lat: &str, lon: &str) -> Coordinates {
        Coordinates::parse(lat, lon, "").unwrap()
    }

    #[test]
    fn poznan_to_kornik_is_about_twenty_km() {
        let poznan = point("52.406374", "16.925168");
        let kornik = point("52.247500", "17.096900");
        let km = distance_km(poznan, kornik);
        assert!(km >= Decimal::from(18) && km <= Decimal::from(22), "{km}");
        assert_eq!(km.scale(), 1);
        assert_eq!(distance_km(kornik, poznan), km);
        assert_eq!(distance_km(poznan, poznan), Decimal::ZERO);
    }

    #[test]
    fn poznan_to_warszawa_is_about_280_km() {
        let km = distance_km(point("52,406374", "16,925168"), point("52.229676", "21.012229"));
        assert!(km > Decimal::from(270) && km < Decimal::from(285), "{km}");
    }

    #[test]
    fn coordinates_are_range_checked_and_rounded() {
        let errors = Coordinates::parse("95", "abc", "venue.").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["venue.latitude", "venue.longitude"]);
        assert_eq!(point("52.40637412", "16.9").latitude.to_string(), "52.406374");
    }

    #[test]
    fn venue_create_reports_all_missing_fields_and_patch_keeps_the_rest() {
        let errors = VenueInput { capacity: Some(0), ..Default::default() }.create(Utc::now()).unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "latitude", "longitude", "address.city", "capacity"]);
        let venue = VenueInput {
            name: Some("Sala konferencyjna WOKiSS".into()),
            address: Some(AddressInput {
                street: Some("ul. Wielka 9".into()),
                postal_code: Some("61-775".into()),
                city: Some("Poznań".into()),
            }),
            capacity: Some(40),
            latitude: Some("52.4075".into()),
            longitude: Some("16.9340".into()),
            ..Default::default()
        }
        .create(Utc::now())
        .unwrap();
        let patched =
            VenueInput { capacity: Some(30), longitude: Some("16.95".into()), version: Some(1), ..Default::default() }
                .update(&venue, Utc::now())
                .unwrap();
        assert_eq!(patched.capacity, 30);
        assert_eq!(patched.coordinates.latitude, venue.coordinates.latitude);
        assert_eq!(patched.coordinates.longitude.to_string(), "16.95");
        assert_eq!(patched.version, 2);
        assert_eq!(patched.address, venue.address);
    }
}
