//! (the page tests)
