import Foundation
import Testing
@testable import GradTrace

/// The small readers and digests GradTrace writes itself, against their published behaviour.
@Suite struct FileFormatTests {
    /// FIPS 180-4's examples (NIST's "SHA-256 example" vectors), and one million 'a'.
    @Test func sha256MatchesThePublishedVectors() {
        func hex(_ s: [UInt8]) -> String { s.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// A parameter CSV saved by a spreadsheet has CRLF line ends and often a byte-order mark.
    @Test func parameterCSVReadsCRLFAndABOM() throws {
        let unix = "name,value\nw1,0.5\nw2,-1.25\n"
        let windows = "\u{FEFF}name,value\r\nw1,0.5\r\nw2,-1.25\r\n"
        let expected: [String: Double] = ["w1": 0.5, "w2": -1.25]
        #expect(try ParameterFile.read(unix, file: "p.csv") == expected)
        #expect(try ParameterFile.read(windows, file: "p.csv") == expected)
        #expect(try ParameterFile.read("w1,0.1\rw2,1e-300", file: "p.csv") == ["w1": 0.1, "w2": 1e-300], "old Mac line ends too")
        // An error still names its line, counted the same way in either file.
        for text in ["w1,0.5\nw2,abc\n", "w1,0.5\r\nw2,abc\r\n"] {
            do {
                _ = try ParameterFile.read(text, file: "p.csv")
                Issue.record("'abc' was read as a number")
            } catch {
                #expect(error.line == 2 && error.message.contains("'abc' is not a number"), "\(error)")
            }
        }
    }
}
