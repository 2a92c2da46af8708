//! What the targets share.

use arbitrary::{Arbitrary, Unstructured};

/// A target's input: options that `arbitrary` reads from the first few
/// bytes, then every byte after them as it is.
///
/// A derived `Arbitrary` for a struct ending in `Vec<u8>` would not do:
/// since arbitrary 1.3.1 a collection taken from the rest of the input
/// reads each element behind a "go on" byte, so half of every input was
/// flags, the first even flag ended the text, a seed file of plain text
/// was cut after a few bytes, and a mutation that inserted one byte
/// changed the meaning of every byte after it.
#[derive(Debug)]
pub struct WithBytes<O> {
    pub opts: O,
    pub bytes: Vec<u8>,
}

impl<'a, O: Arbitrary<'a>> Arbitrary<'a> for WithBytes<O> {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let opts = O::arbitrary(u)?;
        let bytes = u.bytes(u.len())?.to_vec();
        Ok(WithBytes { opts, bytes })
    }

    fn arbitrary_take_rest(mut u: Unstructured<'a>) -> arbitrary::Result<Self> {
        Self::arbitrary(&mut u)
    }
}
