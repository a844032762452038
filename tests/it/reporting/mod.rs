//! Reporting: the analytics of docs/method.md, the reports API and its cache, charts, exports,
//! the dashboard, the report folder, the Word báo cáo and the QR sheets.

mod analytics;
mod analytics_method;
mod analytics_props;
mod charts;
mod charts_api;
mod dashboard;
mod exports;
mod qr_sheets;
mod report_cache;
mod report_folder;
mod reports_api;
mod word_report;
