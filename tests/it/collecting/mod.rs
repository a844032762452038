//! Collecting answers: the JSON API and the HTML forms, resends and group commit, kiosks and
//! invitations, a crash under load, printed paper batches.

mod api_idempotency;
mod api_submission;
mod crash;
mod group_commit;
mod html_form;
mod imports;
mod invitations;
mod kiosks;
mod paper_check;
mod paper_entry;
mod paper_print;
