//! The scaled CNN part of the SAM paper (spec §5.2, checks SAM-8 … SAM-13): ERM vs (m-)SAM on
//! Fashion-MNIST with CNN-S/CNN-M, fine-tuning, label noise and sharpness.

pub mod config;
pub mod experiment;

pub use config::{CNN_SCHEMA, CnnConfig};
pub use experiment::CnnRun;
