//! Data generators and loaders shared by the papers.

pub mod corrupt;
pub mod images;
pub mod sparse;
