//! Media bytes on disk, stored once by content: `files/ab/<sha256>` under the data directory's
//! `media/` (or a temporary directory with `--ephemeral`, removed when the server ends). The
//! database keeps only each file's hash, size and type (`store::media_files`), so snapshots
//! stay small and the media host serves straight from disk.

use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// A file in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub size: u64,
}

pub struct FileStore {
    root: PathBuf,
    /// Holds the temporary directory of an ephemeral server until it stops.
    _ephemeral: Option<tempfile::TempDir>,
    base: parking_lot::RwLock<String>,
}

/// The base URL for `addr`: a wildcard address is reached through loopback.
pub fn base_for(addr: SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    format!("http://{addr}")
}

/// Whether `text` is a SHA-256 in lower-case hex (the only names the store hands out).
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl FileStore {
    /// Opens the store under `data_dir/media`, or in a fresh temporary directory.
    pub fn open(data_dir: Option<&Path>, listen: SocketAddr) -> io::Result<FileStore> {
        let (root, ephemeral) = match data_dir {
            Some(dir) => (dir.join("media"), None),
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("localgram-media-")
                    .tempdir()?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        for sub in ["files", "uploads", "incoming"] {
            std::fs::create_dir_all(root.join(sub))?;
        }
        // Downloads a crash interrupted are of no use: nothing refers to them.
        for entry in std::fs::read_dir(root.join("incoming"))?.flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
        Ok(FileStore {
            root,
            _ephemeral: ephemeral,
            base: parking_lot::RwLock::new(base_for(listen)),
        })
    }

    /// Where media URLs point: the address the server actually listens on.
    pub fn set_public_base(&self, addr: SocketAddr) {
        *self.base.write() = base_for(addr);
    }

    pub fn public_base(&self) -> String {
        self.base.read().clone()
    }

    /// The media host URL of a stored file.
    pub fn url(&self, sha256: &str, extension: &str) -> String {
        format!("{}/media/{sha256}.{extension}", self.public_base())
    }

    pub fn path_of(&self, sha256: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("00");
        self.root.join("files").join(prefix).join(sha256)
    }

    pub fn exists(&self, sha256: &str) -> bool {
        is_sha256(sha256) && self.path_of(sha256).is_file()
    }

    /// Where a resumable upload's bytes gather until the upload is complete.
    pub fn upload_path(&self, container_id: &str) -> PathBuf {
        let safe: String = container_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        self.root.join("uploads").join(format!("{safe}.part"))
    }

    fn scratch_path(&self) -> PathBuf {
        let name: u64 = rand::random();
        self.root.join("incoming").join(format!("{name:016x}"))
    }

    /// Starts receiving a new file, hashed as it is written.
    pub async fn incoming(&self) -> io::Result<Incoming> {
        let path = self.scratch_path();
        let file = tokio::fs::File::create(&path).await?;
        Ok(Incoming {
            path: Some(path),
            file,
            hasher: Sha256::new(),
            size: 0,
        })
    }

    /// Moves a complete file into place under its hash (dropping it if the store already has
    /// those bytes).
    fn adopt(&self, scratch: &Path, sha256: &str) -> io::Result<()> {
        let target = self.path_of(sha256);
        if target.is_file() {
            std::fs::remove_file(scratch)?;
            return Ok(());
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(scratch, &target)
    }

    /// Stores bytes already in memory (generated files, control API uploads).
    pub fn put_bytes(&self, bytes: &[u8]) -> io::Result<Stored> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        if !self.path_of(&sha256).is_file() {
            let scratch = self.scratch_path();
            let mut file = std::fs::File::create(&scratch)?;
            file.write_all(bytes)?;
            self.adopt(&scratch, &sha256)?;
        }
        Ok(Stored {
            sha256,
            size: bytes.len() as u64,
        })
    }

    /// Stores bytes only if `check`, reading them through a path, accepts them. Blocking. Bytes
    /// the store already has are checked where they lie and not written again.
    pub fn put_checked<T, E>(
        &self,
        bytes: &[u8],
        check: impl FnOnce(&Path) -> Result<T, E>,
    ) -> io::Result<Result<(Stored, T), E>> {
        let stored = Stored {
            sha256: hex::encode(Sha256::digest(bytes)),
            size: bytes.len() as u64,
        };
        let target = self.path_of(&stored.sha256);
        if target.is_file() {
            return Ok(check(&target).map(|t| (stored, t)));
        }
        let scratch = self.scratch_path();
        std::fs::write(&scratch, bytes)?;
        match check(&scratch) {
            Ok(t) => {
                self.adopt(&scratch, &stored.sha256)?;
                Ok(Ok((stored, t)))
            }
            Err(e) => {
                std::fs::remove_file(&scratch)?;
                Ok(Err(e))
            }
        }
    }

    /// Stores a finished file that was written elsewhere in the store (a completed resumable
    /// upload): hashes it in 1 MiB reads, then moves it into place. Blocking.
    pub fn put_file(&self, path: &Path) -> io::Result<Stored> {
        let mut file = std::fs::File::open(path)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            size += n as u64;
        }
        let sha256 = hex::encode(hasher.finalize());
        self.adopt(path, &sha256)?;
        Ok(Stored { sha256, size })
    }
}

/// A file being received: written to a scratch path and hashed on the way; removed unless
/// [`Incoming::finish`] stores it.
pub struct Incoming {
    path: Option<PathBuf>,
    file: tokio::fs::File,
    hasher: Sha256,
    size: u64,
}

impl Incoming {
    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        self.file.write_all(chunk).await
    }

    /// Makes everything written so far readable through the path (tokio buffers writes).
    pub async fn flush(&mut self) -> io::Result<()> {
        self.file.flush().await
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Where the bytes are while they arrive (probing reads them here before storing).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Flushes and moves the file into the store under its hash.
    pub async fn finish(mut self, store: &FileStore) -> io::Result<Stored> {
        // Durable against a crash of the process, like the database (WAL, synchronous=NORMAL).
        self.file.flush().await?;
        let sha256 = hex::encode(std::mem::take(&mut self.hasher).finalize());
        let size = self.size;
        if let Some(path) = self.path.take() {
            store.adopt(&path, &sha256)?;
        }
        Ok(Stored { sha256, size })
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn equal_bytes_are_stored_once_under_their_hash() {
        let store = FileStore::open(None, "127.0.0.1:4100".parse().unwrap()).unwrap();
        let a = store.put_bytes(b"hello").unwrap();
        assert_eq!(
            a.sha256,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        let mut incoming = store.incoming().await.unwrap();
        incoming.write(b"hel").await.unwrap();
        incoming.write(b"lo").await.unwrap();
        let scratch = incoming.path().unwrap().to_path_buf();
        let b = incoming.finish(&store).await.unwrap();
        assert_eq!(a, b);
        assert!(!scratch.exists());
        assert_eq!(std::fs::read(store.path_of(&a.sha256)).unwrap(), b"hello");
        assert_eq!(
            store.url(&a.sha256, "jpg"),
            format!("http://127.0.0.1:4100/media/{}.jpg", a.sha256)
        );
        store.set_public_base("0.0.0.0:5000".parse().unwrap());
        assert_eq!(store.public_base(), "http://127.0.0.1:5000");
    }

    #[tokio::test]
    async fn an_abandoned_download_leaves_nothing_behind() {
        let store = FileStore::open(None, "127.0.0.1:4100".parse().unwrap()).unwrap();
        let mut incoming = store.incoming().await.unwrap();
        incoming.write(b"partial").await.unwrap();
        let scratch = incoming.path().unwrap().to_path_buf();
        drop(incoming);
        assert!(!scratch.exists());
        assert!(!is_sha256("../../etc/passwd"));
        assert!(!store.exists("zz"));
    }
}
