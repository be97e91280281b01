//! cloudwright turns short, declarative YAML blueprints of AWS architectures into reviewed,
//! production-grade CloudFormation, AWS SAM or Terraform.
//!
//! Data flows one way, one module per stage:
//! [`blueprint::load`] → [`plan::plan`] → [`render::render`] → [`write::apply`].

pub mod blueprint;
pub mod cli;
pub mod components;
pub mod cost;
pub mod diagnostics;
pub mod expr;
pub mod iam;
pub mod input;
pub mod naming;
pub mod plan;
pub mod render;
pub mod schema;
pub mod text;
pub mod validate;
pub mod write;
