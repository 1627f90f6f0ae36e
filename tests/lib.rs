//! See api/.
