/*
 * The .snn model language (docs/language.md is the reference).
 *
 * Declarative: no embedded actions. The grammar accepts a little more than the language
 * (statements in any order, any identifier as a layer kind, parameter or option value) so that
 * SnnBuilder can report a misplaced statement, an unknown layer kind or a misspelled option as a
 * diagnostic with a "did you mean" instead of as a syntax error.
 */
grammar Snn;

file
    : statement* EOF
    ;

statement
    : MODEL name=ID                                                # modelStmt
    | INPUT dims=inputShape (ENCODE encoding=value)?               # inputStmt
    | TIMESTEPS steps=number                                       # timestepsStmt
    | NEURON name=ID '=' model=ID '(' argList? ')'                 # neuronStmt
    | LAYERS '{' layer* '}'                                        # layersStmt
    | TRAIN '{' setting* '}'                                       # trainStmt
    | DEPLOY '{' deployItem* '}'                                   # deployStmt
    ;

inputShape
    : SHAPE                                                        # multiDimInput
    | INT                                                          # flatInput
    ;

layer
    : (name=ID '=')? call=layerCall neuronRef? dropout?            # plainLayer
    | (name=ID '=')? RESIDUAL '{' layer* '}'
          SKIP_KW skip=skipPath neuronRef? dropout?                   # residualLayer
    ;

layerCall
    : kind=ID ('(' argList? ')')?
    ;

skipPath
    : IDENTITY                                                     # identitySkip
    | layerCall                                                    # convSkip
    ;

neuronRef
    : '->' neuron=ID
    ;

dropout
    : DROPOUT rate=number
    ;

setting
    : key=ID '=' value
    ;

deployItem
    : TARGET name=ID ('(' argList? ')')?                           # targetItem
    | key=ID '=' value                                             # deploySetting
    ;

argList
    : arg (',' arg)* ','?
    ;

arg
    : (key=ID '=')? value
    ;

value
    : number                                                       # numberValue
    | STRING                                                       # stringValue
    | '[' (value (',' value)* ','?)? ']'                           # listValue
    | name=ID '(' argList? ')'                                     # callValue
    | name=ID                                                      # nameValue
    ;

number
    : sign='-'? (INT | FLOAT)
    ;

// Statement keywords are reserved; all other words are identifiers checked by the builder.
MODEL     : 'model' ;
INPUT     : 'input' ;
ENCODE    : 'encode' ;
TIMESTEPS : 'timesteps' ;
NEURON    : 'neuron' ;
LAYERS    : 'layers' ;
TRAIN     : 'train' ;
DEPLOY    : 'deploy' ;
TARGET    : 'target' ;
RESIDUAL  : 'residual' ;
SKIP_KW   : 'skip' ;
IDENTITY  : 'identity' ;
DROPOUT   : 'dropout' ;

ARROW     : '->' ;
LBRACE    : '{' ;
RBRACE    : '}' ;
LPAREN    : '(' ;
RPAREN    : ')' ;
LBRACK    : '[' ;
RBRACK    : ']' ;
EQUALS    : '=' ;
COMMA     : ',' ;
MINUS     : '-' ;

// 1x28x28: longer than INT, so the lexer prefers it.
SHAPE     : DIGITS ('x' DIGITS)+ ;
FLOAT     : DIGITS '.' DIGITS? EXPONENT?
          | '.' DIGITS EXPONENT?
          | DIGITS EXPONENT
          ;
INT       : DIGITS ;
ID        : [A-Za-z_] [A-Za-z0-9_]* ;
STRING    : '"' (~["\\\r\n] | '\\' .)* '"' ;
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' .)* ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
// Cannot contain '*/', so it only wins where BLOCK_COMMENT cannot match (longest match otherwise).
UNTERMINATED_COMMENT : '/*' ( ~[*] | '*'+ ~[*/] )* '*'* EOF ;
WS            : [ \t\r\n\f]+ -> skip ;
// Anything else is one bad character; the builder reports it with its position.
BAD_CHAR      : . ;

fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
