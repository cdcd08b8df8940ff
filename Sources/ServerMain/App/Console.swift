import Foundation

/// Lines for whoever runs the command, written unbuffered so that a parent process reading a
/// pipe sees them at once (`print` is block-buffered there).
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
