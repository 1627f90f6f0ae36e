//! Worked examples and properties of contract billing.
