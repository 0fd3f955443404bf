//! Data generators and loaders shared by the papers.

pub mod catalogue;
pub mod corrupt;
pub mod images;
pub mod sparse;
