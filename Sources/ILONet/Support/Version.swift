public enum ILONetVersion {
    public static let current = "0.1.0"
    public static let protocolVersion = 1
}
