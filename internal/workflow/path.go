package workflow

import "slices"

// Path is the shortest sequence of states a record takes from one state to
// another through the machine's transitions, without from itself; nil when
// to cannot be reached. Fixtures use it to bring a record to a state the
// way the workflow would, so that every rule on the way applies.
func (m *Machine) Path(from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s == to {
			var path []string
			for ; s != from; s = prev[s] {
				path = append(path, s)
			}
			slices.Reverse(path)
			return path
		}
		for _, t := range m.Transitions {
			if _, seen := prev[t.To]; t.To != "" && !seen && slices.Contains(t.From, s) {
				prev[t.To] = s
				queue = append(queue, t.To)
			}
		}
	}
	return nil
}
