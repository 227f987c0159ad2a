//! The RSA private key that signs tokens, parsed once and held ready.

use std::{fmt, path::Path};

use aws_lc_rs::{
    encoding::AsDer,
    rand::SystemRandom,
    rsa::{KeyPair, KeySize},
    signature::{KeyPair as _, RSA_PKCS1_SHA256},
};
use pkcs8::der::Decode;
use zeroize::Zeroizing;

use crate::{Error, KeyError, PublicKey, Result};

/// The OID of `rsaEncryption` (1.2.840.113549.1.1.1).
const RSA_ENCRYPTION: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The smallest modulus accepted, in bits.
const MIN_BITS: usize = 2048;

/// Key sizes `keygen` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyBits {
    /// 2048 bits: Synerise's own instructions use this size.
    B2048,
    /// 3072 bits.
    B3072,
    /// 4096 bits.
    B4096,
}

impl TryFrom<u32> for KeyBits {
    type Error = KeyError;
    fn try_from(bits: u32) -> Result<Self, KeyError> {
        match bits {
            2048 => Ok(Self::B2048),
            3072 => Ok(Self::B3072),
            4096 => Ok(Self::B4096),
            other => Err(KeyError::UnsupportedSize(other)),
        }
    }
}

/// An RSA private key, parsed once, that signs with RSASSA-PKCS1-v1_5 and SHA-256 (RS256).
///
/// Its `Debug` output shows only the size and the public key's thumbprint, never key material.
pub struct SigningKey {
    pair: KeyPair,
    public: PublicKey,
    rng: SystemRandom,
}

impl SigningKey {
    /// Makes a new key of `bits` bits (2048, 3072 or 4096).
    ///
    /// # Errors
    /// [`KeyError::UnsupportedSize`] for other sizes.
    pub fn generate(bits: u32) -> Result<Self> {
        let size = match KeyBits::try_from(bits)? {
            KeyBits::B2048 => KeySize::Rsa2048,
            KeyBits::B3072 => KeySize::Rsa3072,
            KeyBits::B4096 => KeySize::Rsa4096,
        };
        let pair = KeyPair::generate(size).map_err(|_| KeyError::Generate)?;
        Self::from_pair(pair, "generated key")
    }

    /// Loads a key from a file holding PEM (`BEGIN PRIVATE KEY` or `BEGIN RSA PRIVATE KEY`) or DER
    /// (PKCS#8 or PKCS#1). Errors name the file.
    ///
    /// # Errors
    /// [`KeyError::Read`] when the file cannot be read; [`KeyError::Refused`] when it holds no usable
    /// RSA private key (encrypted, another algorithm, smaller than 2048 bits, a public key...).
    pub fn from_file(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| KeyError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_bytes(&bytes, &path.display().to_string())
    }

    /// Loads a key from PEM or DER bytes; `origin` names where they came from in error messages.
    ///
    /// # Errors
    /// As [`SigningKey::from_file`].
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Self> {
        let looks_like_pem =
            bytes.iter().take(4096).any(|b| *b == b'-') && std::str::from_utf8(bytes).is_ok();
        if looks_like_pem {
            Self::from_pem(bytes, origin)
        } else {
            Self::from_der(bytes, origin)
        }
    }

    fn from_pem(bytes: &[u8], origin: &str) -> Result<Self> {
        let blocks = pem::parse_many(bytes)
            .map_err(|e| KeyError::refused(origin, format!("is not valid PEM ({e})")))?;
        let Some(block) = blocks
            .iter()
            .find(|b| b.tag().contains("PRIVATE KEY"))
            .or(blocks.first())
        else {
            return Err(KeyError::refused(
                origin,
                "holds no PEM block; expected -----BEGIN PRIVATE KEY-----",
            )
            .into());
        };
        match block.tag() {
            "PRIVATE KEY" => Self::from_pkcs8(block.contents(), origin),
            "RSA PRIVATE KEY" => {
                if block.headers().get("Proc-Type").is_some_and(|v| v.contains("ENCRYPTED")) {
                    return Err(encrypted(origin));
                }
                Self::from_pkcs1(block.contents(), origin)
            }
            "ENCRYPTED PRIVATE KEY" => Err(encrypted(origin)),
            "EC PRIVATE KEY" => Err(KeyError::refused(origin, "is an EC key; Synerise needs an RSA key").into()),
            "OPENSSH PRIVATE KEY" => Err(KeyError::refused(
                origin,
                "is an OpenSSH key; convert it with `ssh-keygen -p -m PKCS8 -f FILE` or make a new one with `synerise-auth keygen`",
            )
            .into()),
            "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => Err(KeyError::refused(
                origin,
                format!("holds a {}, not a private key", block.tag().to_lowercase()),
            )
            .into()),
            other => Err(KeyError::refused(origin, format!("holds a `{other}` block, not an RSA private key")).into()),
        }
    }

    fn from_der(der: &[u8], origin: &str) -> Result<Self> {
        if pkcs8::EncryptedPrivateKeyInfo::from_der(der).is_ok() {
            return Err(encrypted(origin));
        }
        if pkcs8::PrivateKeyInfo::from_der(der).is_ok() {
            return Self::from_pkcs8(der, origin);
        }
        Self::from_pkcs1(der, origin)
    }

    fn from_pkcs8(der: &[u8], origin: &str) -> Result<Self> {
        let info = pkcs8::PrivateKeyInfo::from_der(der)
            .map_err(|_| KeyError::refused(origin, "is not a valid PKCS#8 private key"))?;
        let oid = info.algorithm.oid;
        if oid != RSA_ENCRYPTION {
            let kind = match oid.to_string().as_str() {
                "1.2.840.10045.2.1" => "an EC key".to_owned(),
                "1.3.101.112" => "an Ed25519 key".to_owned(),
                "1.3.101.113" => "an Ed448 key".to_owned(),
                "1.2.840.113549.1.1.10" => "an RSA-PSS-only key".to_owned(),
                other => format!("a key of algorithm {other}"),
            };
            return Err(
                KeyError::refused(origin, format!("is {kind}; Synerise needs an RSA key")).into(),
            );
        }
        let pair = KeyPair::from_pkcs8(der).map_err(|e| rejected(origin, e.description_()))?;
        Self::from_pair(pair, origin)
    }

    fn from_pkcs1(der: &[u8], origin: &str) -> Result<Self> {
        let pair = KeyPair::from_der(der).map_err(|e| rejected(origin, e.description_()))?;
        Self::from_pair(pair, origin)
    }

    fn from_pair(pair: KeyPair, origin: &str) -> Result<Self> {
        let bits = pair.public_modulus_len() * 8;
        if bits < MIN_BITS {
            return Err(KeyError::refused(
                origin,
                format!("is a {bits}-bit RSA key; at least 2048 bits are required"),
            )
            .into());
        }
        let public = PublicKey::from_aws(pair.public_key(), origin)?;
        Ok(Self {
            pair,
            public,
            rng: SystemRandom::new(),
        })
    }

    /// The matching public key.
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The modulus size in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        self.pair.public_modulus_len() * 8
    }

    /// The key as PKCS#8 PEM, for writing to `private.pem`. The text is key material: write it to
    /// a file only readable by its owner, and drop it.
    ///
    /// # Errors
    /// [`Error::Signing`] if the crypto library cannot encode the key.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        let der = self.pair.as_der().map_err(|_| Error::Signing)?;
        Ok(Zeroizing::new(pem::encode(&pem::Pem::new(
            "PRIVATE KEY",
            der.as_ref().to_vec(),
        ))))
    }

    /// Writes the key as PKCS#8 PEM to `path` with mode 0600 (owner read/write only on Unix).
    /// Refuses to replace an existing file unless `overwrite`.
    ///
    /// # Errors
    /// [`KeyError::Write`] naming the file, including when it already exists.
    pub fn write_pkcs8_pem(&self, path: &Path, overwrite: bool) -> Result<()> {
        use std::io::Write as _;
        let write_error = |source| KeyError::Write {
            path: path.to_owned(),
            source,
        };
        let pem = self.to_pkcs8_pem()?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true);
        if overwrite {
            options.create(true).truncate(true);
        } else {
            options.create_new(true);
        }
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(write_error)?;
        #[cfg(unix)]
        {
            // `mode` applies only to new files: tighten one that is being replaced too.
            use std::os::unix::fs::PermissionsExt as _;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(write_error)?;
        }
        file.write_all(pem.as_bytes()).map_err(write_error)?;
        file.sync_all().map_err(write_error)?;
        Ok(())
    }

    /// The length of a signature in bytes.
    #[must_use]
    pub fn signature_len(&self) -> usize {
        self.pair.public_modulus_len()
    }

    /// Signs `message` with RS256 into `signature`, which must be [`signature_len`](Self::signature_len) long.
    ///
    /// # Errors
    /// [`Error::Signing`] if the buffer has the wrong length or the primitive fails.
    pub fn sign_into(&self, message: &[u8], signature: &mut [u8]) -> Result<()> {
        self.pair
            .sign(&RSA_PKCS1_SHA256, &self.rng, message, signature)
            .map_err(|_| Error::Signing)
    }

    /// Signs `message` with RS256.
    ///
    /// # Errors
    /// [`Error::Signing`] if the primitive fails.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut signature = vec![0; self.signature_len()];
        self.sign_into(message, &mut signature)?;
        Ok(signature)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("bits", &self.bits())
            .field("kid", &self.public.thumbprint())
            .finish_non_exhaustive()
    }
}

fn encrypted(origin: &str) -> Error {
    KeyError::refused(
        origin,
        "is encrypted with a passphrase; store it decrypted (`openssl pkey -in FILE -out private.pem`) with file mode 0600",
    )
    .into()
}

fn rejected(origin: &str, why: &str) -> Error {
    let reason = match why {
        "TooSmall" => "is smaller than 2048 bits; at least 2048 bits are required".to_owned(),
        "TooLarge" => "is larger than 8192 bits".to_owned(),
        "InvalidEncoding" | "UnexpectedError" => "is not a valid RSA private key".to_owned(),
        "WrongAlgorithm" => "is not an RSA key; Synerise needs an RSA key".to_owned(),
        other => format!("was refused by the crypto library ({other})"),
    };
    KeyError::refused(origin, reason).into()
}
