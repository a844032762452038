//! Administration: units and their reforms, accounts, the admin pages, form uploads and the audit
//! log.

mod admin_pages;
mod audit_log;
mod forms_upload;
mod unit_reform;
mod units_admin;
mod users_admin;
