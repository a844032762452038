//! `sipas demo`: realistic synthetic responses (being written).
