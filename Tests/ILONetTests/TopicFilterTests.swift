import Testing
@testable import ILONet

/// The examples of MQTT 3.1.1 §4.7.1 and §4.7.3, and ILONet's own topics.
@Suite struct TopicFilterTests {
    func matches(_ filter: String, _ topic: String) throws -> Bool { try TopicFilter(filter).matches(topic) }

    @Test func multiLevelWildcardAsInTheMQTTSpecification() throws {
        // "sport/tennis/player1/#" matches sport/tennis/player1, …/ranking, …/score/wimbledon.
        #expect(try matches("sport/tennis/player1/#", "sport/tennis/player1"))
        #expect(try matches("sport/tennis/player1/#", "sport/tennis/player1/ranking"))
        #expect(try matches("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon"))
        // "sport/#" also matches the singular "sport"; "#" matches everything.
        #expect(try matches("sport/#", "sport"))
        #expect(try matches("#", "sport/tennis"))
        #expect(!(try matches("sport/tennis/player1/#", "sport/tennis/player2")))
    }

    @Test func singleLevelWildcardAsInTheMQTTSpecification() throws {
        // "sport/tennis/+" matches sport/tennis/player1 and …/player2 but not …/player1/ranking.
        #expect(try matches("sport/tennis/+", "sport/tennis/player1"))
        #expect(try matches("sport/tennis/+", "sport/tennis/player2"))
        #expect(!(try matches("sport/tennis/+", "sport/tennis/player1/ranking")))
        // "sport/+" does not match "sport" but does match "sport/".
        #expect(!(try matches("sport/+", "sport")))
        #expect(try matches("sport/+", "sport/"))
        // "+/+" and "/+" match "/finance"; "+" does not.
        #expect(try matches("+/+", "/finance"))
        #expect(try matches("/+", "/finance"))
        #expect(!(try matches("+", "/finance")))
        #expect(try matches("+/tennis/#", "sport/tennis/player1"))
    }

    @Test(arguments: ["sport/tennis#", "sport/tennis/#/ranking", "sport+", "#/x", "", "a/b+c"])
    func invalidFiltersAreRefused(_ text: String) {
        #expect(throws: TopicFilter.Invalid.self) { try TopicFilter(text) }
    }

    @Test func reportTopics() throws {
        #expect(try matches("smuggling/+/sea", "smuggling/LY/sea"))
        #expect(try matches("+/LY/#", "border/LY/large-group"))
        #expect(!(try matches("+/LY/#", "border/TN/large-group")))
        #expect(!(try matches("smuggling/LY", "smuggling/LY/sea")))
    }

    @Test func coverage() throws {
        func covers(_ a: String, _ b: String) throws -> Bool { try TopicFilter(a).covers(TopicFilter(b)) }
        #expect(try covers("#", "smuggling/LY/#"))
        #expect(try covers("+/LY/#", "smuggling/LY/sea"))
        #expect(try covers("+/LY/#", "+/LY/#"))
        #expect(try covers("smuggling/+/+", "smuggling/LY/+"))
        #expect(!(try covers("+/LY/#", "#")))
        #expect(!(try covers("+/LY/#", "+/+/#")))
        #expect(!(try covers("smuggling/LY/sea", "smuggling/LY/+")))
        #expect(!(try covers("smuggling/+/sea", "smuggling/+/#")))
    }

    /// The trie that indexes subscriptions finds exactly the filters that match.
    @Test func theTopicTrieAgreesWithTheFilters() throws {
        var generator = SystemRandomNumberGenerator()
        let words = ["smuggling", "border", "LY", "TN", "sea", "land", "+", "#"]
        var filters: [TopicFilter] = []
        while filters.count < 400 {
            let depth = Int.random(in: 1...4, using: &generator)
            let levels = (0..<depth).map { _ in words.randomElement(using: &generator)! }
            if let filter = try? TopicFilter(levels.joined(separator: "/")) { filters.append(filter) }
        }
        let trie = TopicTrie(filters.enumerated().map { (filter: $0.element, identity: "id\($0.offset)") })
        for _ in 0..<400 {
            let depth = Int.random(in: 1...4, using: &generator)
            let topic = (0..<depth).map { _ in ["smuggling", "border", "LY", "TN", "sea", "land"].randomElement(using: &generator)! }.joined(separator: "/")
            let expected = Set(filters.enumerated().filter { $0.element.matches(topic) }.map { "id\($0.offset)" })
            #expect(trie.subscribers(of: topic) == expected, "\(topic)")
        }
    }
}

