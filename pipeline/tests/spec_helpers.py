"""Reading a compiled Vertex AI / KFP v2 pipeline spec (from KFP SDK 1.8's kfp.v2.compiler or SDK 2.x):
tasks anywhere in the DAG, their executors and where each input comes from."""


class CompiledPipeline:
    def __init__(self, spec):
        self.spec = spec
        self.components = spec['components']
        self.executors = spec['deploymentSpec']['executors']
        # task name -> (task, name of the DAG component holding it or 'root', the parent task name)
        self.tasks = {}
        self._collect(spec['root']['dag'], 'root', None)

    def _collect(self, dag, holder, parent_task):
        for name, task in dag.get('tasks', {}).items():
            assert name not in self.tasks, f'task name {name} twice'
            self.tasks[name] = (task, holder, parent_task)
            component = self.components[task['componentRef']['name']]
            if 'dag' in component:
                self._collect(component['dag'], task['componentRef']['name'], name)

    def task(self, name):
        return self.tasks[name][0]

    def parent(self, name):
        """The task (a condition) whose sub-DAG holds the task, or None at the root."""
        return self.tasks[name][2]

    def component(self, name):
        """The component definition a task runs (its input and output definitions)."""
        return self.components[self.task(name)['componentRef']['name']]

    def executor(self, name):
        component = self.components[self.task(name)['componentRef']['name']]
        return self.executors[component['executorLabel']]

    def container(self, name):
        return self.executor(name)['container']

    def source(self, task_name, input_name):
        """Where an input of a task comes from, following a condition's inputs to its parent DAG:
        ('task', producer, output key), ('pipeline', parameter), or ('constant', value)."""
        task = self.task(task_name)
        inputs = task.get('inputs', {})
        spec = inputs.get('parameters', {}).get(input_name) or inputs.get('artifacts', {}).get(input_name)
        assert spec is not None, f'{task_name} has no input {input_name}: {sorted(inputs.get("parameters", {}))}'
        if 'taskOutputParameter' in spec:
            out = spec['taskOutputParameter']
            return 'task', out['producerTask'], out['outputParameterKey']
        if 'taskOutputArtifact' in spec:
            out = spec['taskOutputArtifact']
            return 'task', out['producerTask'], out['outputArtifactKey']
        if 'componentInputParameter' in spec or 'componentInputArtifact' in spec:
            name = spec.get('componentInputParameter', spec.get('componentInputArtifact'))
            parent = self.parent(task_name)
            if parent is None:
                return 'pipeline', name
            return self.source(parent, name)
        if 'runtimeValue' in spec:
            constant = spec['runtimeValue'].get('constant', spec['runtimeValue'].get('constantValue'))
            if isinstance(constant, dict) and len(constant) == 1 and next(iter(constant)) in (
                    'stringValue', 'intValue', 'doubleValue'):
                constant = next(iter(constant.values()))
            return 'constant', constant
        raise AssertionError(f'{task_name}.{input_name}: unknown input spec {spec}')

    def constant(self, task_name, input_name):
        kind, *value = self.source(task_name, input_name)
        assert kind == 'constant', f'{task_name}.{input_name} is {kind} {value}, not a constant'
        return value[0]

    def find(self, prefix):
        """The one task whose name starts with prefix."""
        found = [name for name in self.tasks if name.startswith(prefix)]
        assert len(found) == 1, f'tasks starting with {prefix}: {found}'
        return found[0]
