//! The platform under every capability: login and sessions, throttling, security headers,
//! health, migrations, the OpenAPI description and route table, assets, the command line.

mod auth;
mod cli;
mod demo;
mod health;
mod html_assets;
mod login_throttle;
mod migrations;
mod openapi;
mod privacy;
mod route_table;
mod security_headers;
mod smoke;
