//! [`Bytes`]: a byte buffer that crosses the worker boundary as one byte string.

use serde::{Deserialize, Serialize};

/// A byte buffer that serialises as one byte string instead of a sequence of numbers, which keeps
/// messages cheap to encode (postcard copies it in one go).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Bytes, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
                Ok(Bytes(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Bytes, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(b) = seq.next_element()? {
                    out.push(b);
                }
                Ok(Bytes(out))
            }
        }
        deserializer.deserialize_byte_buf(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::Bytes;

    #[test]
    fn round_trips_through_postcard_as_one_byte_string() {
        let bytes = Bytes(vec![0, 1, 2, 255]);
        let Ok(encoded) = postcard::to_allocvec(&bytes) else {
            panic!("encode")
        };
        // A length prefix and the bytes themselves.
        assert_eq!(encoded, [4, 0, 1, 2, 255]);
        assert_eq!(postcard::from_bytes::<Bytes>(&encoded), Ok(bytes));
    }
}
